import WebSocket, { type RawData } from 'ws';
import {
  HaAuthError,
  HaConnectionError,
  authenticate,
  commandError,
  decodeFrame,
  haWebSocketUrl,
  isRecord,
  type HaConfig,
  type HaEventMessage,
  type HaMessage,
  type HaState,
} from './ha-protocol';

export {
  HaAuthError,
  HaCommandError,
  HaConnectionError,
  HaUrlError,
  haWebSocketUrl,
  type HaConfig,
  type HaContext,
  type HaEventMessage,
  type HaState,
} from './ha-protocol';

/** Where and as whom to connect; the token is used once for the handshake and never kept. */
export interface HaClientOptions {
  url: string;
  accessToken: string;
  /** Covers opening the socket and authenticating, so an unresponsive host cannot stall start-up. */
  connectTimeoutMs?: number;
  /** Per command; a late answer after the timeout is ignored. */
  commandTimeoutMs?: number;
}

interface Pending {
  type: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 15_000;
/** How long `close()` waits for Home Assistant to acknowledge the close before dropping the socket. */
const CLOSE_GRACE_MS = 2_000;

/**
 * One authenticated connection to Home Assistant's WebSocket API. It does not reconnect by itself:
 * subscriptions die with the socket, so the owner, told through `onClose`, decides when to connect
 * again and what to subscribe to.
 */
export class HaClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subscriptions = new Map<number, (event: HaEventMessage) => void>();
  private readonly closeListeners: Array<(error: Error | undefined) => void> = [];
  private readonly closeWaiters: Array<() => void> = [];
  private failure: Error | undefined;
  private closing = false;
  private closed: { error: Error | undefined } | undefined;

  private constructor(
    private readonly socket: WebSocket,
    readonly haVersion: string,
    private readonly commandTimeoutMs: number,
  ) {
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('error', (error) => {
      this.failure ??= new HaConnectionError(`The connection to Home Assistant failed: ${error.message}`, {
        cause: error,
      });
    });
    socket.on('close', (code) => this.onSocketClosed(code));
    // Must be the first command after authentication: Home Assistant then batches messages under load.
    this.command({ type: 'supported_features', features: { coalesce_messages: 1 } }).catch(() => undefined);
  }

  /** Resolves only once authenticated, so a returned client is always usable. */
  static async connect(options: HaClientOptions): Promise<HaClient> {
    const url = haWebSocketUrl(options.url);
    if (!options.accessToken) throw new HaAuthError('No Home Assistant access token is configured');
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    return authenticate(url, options.accessToken, timeoutMs, (socket, haVersion, rest) => {
      const client = new HaClient(socket, haVersion, commandTimeoutMs);
      client.handleMessages(rest);
      return client;
    });
  }

  get isOpen(): boolean {
    return !this.closing && !this.closed && !this.failure && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Any command of the API; the id is assigned here. Subscriptions must go through `subscribeEvents`,
   * otherwise their events have nowhere to go.
   */
  command<T = unknown>(message: { type: string; [key: string]: unknown }): Promise<T> {
    return this.send(this.nextId++, message) as Promise<T>;
  }

  /**
   * `onEvent` is registered before the command is sent, so events that Home Assistant sends ahead of
   * the subscription's result are delivered too. It must not throw: an exception is rethrown
   * asynchronously (as an uncaught exception) rather than disturbing other subscriptions.
   */
  async subscribeEvents(
    eventType: string | undefined,
    onEvent: (event: HaEventMessage) => void,
  ): Promise<() => Promise<void>> {
    const id = this.nextId++;
    this.subscriptions.set(id, onEvent);
    try {
      await this.send(id, { type: 'subscribe_events', ...(eventType === undefined ? {} : { event_type: eventType }) });
    } catch (error) {
      this.subscriptions.delete(id);
      // A timed-out subscription may still be created later; the unsubscribe is queued behind it.
      if (error instanceof HaConnectionError && this.isOpen) {
        this.command({ type: 'unsubscribe_events', subscription: id }).catch(() => undefined);
      }
      throw error;
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      this.subscriptions.delete(id);
      if (!this.isOpen) return;
      try {
        await this.command({ type: 'unsubscribe_events', subscription: id });
      } catch (error) {
        // The subscription ended with the connection; there is nothing left to undo.
        if (!(error instanceof HaConnectionError)) throw error;
      }
    };
  }

  getConfig(): Promise<HaConfig> {
    return this.command<HaConfig>({ type: 'get_config' });
  }

  getStates(): Promise<HaState[]> {
    return this.command<HaState[]>({ type: 'get_states' });
  }

  /** Resolves with Home Assistant's result: `{ context }`, plus `response` when one was asked for. */
  callService(call: {
    domain: string;
    service: string;
    serviceData?: Record<string, unknown>;
    target?: Record<string, unknown>;
    returnResponse?: boolean;
  }): Promise<unknown> {
    return this.command({
      type: 'call_service',
      domain: call.domain,
      service: call.service,
      ...(call.serviceData === undefined ? {} : { service_data: call.serviceData }),
      ...(call.target === undefined ? {} : { target: call.target }),
      ...(call.returnResponse === undefined ? {} : { return_response: call.returnResponse }),
    });
  }

  /** Round trip in milliseconds; also proves the link is alive, which an idle socket cannot. */
  async ping(): Promise<number> {
    const start = performance.now();
    await this.command({ type: 'ping' });
    return performance.now() - start;
  }

  /**
   * Tells the owner that the connection is gone (error undefined when Home Assistant closed it
   * normally, e.g. on shutdown). Not called after `close()`. Registered late, it is still called once.
   */
  onClose(listener: (error: Error | undefined) => void): void {
    if (this.closed) {
      if (!this.closing) {
        const { error } = this.closed;
        queueMicrotask(() => invokeSafely(() => listener(error)));
      }
      return;
    }
    this.closeListeners.push(listener);
  }

  /** Rejects pending commands at once, then waits for the socket to close (dropping it if Home Assistant stalls). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    this.rejectPending('The Home Assistant client was closed');
    this.subscriptions.clear();
    const fallback = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
    await new Promise<void>((resolve) => {
      this.closeWaiters.push(resolve);
      if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    });
    clearTimeout(fallback);
  }

  private send(id: number, message: { type: string; [key: string]: unknown }): Promise<unknown> {
    if (!this.isOpen) return Promise.reject(new HaConnectionError('The connection to Home Assistant is not open'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new HaConnectionError(`Home Assistant did not answer '${message.type}' within ${this.commandTimeoutMs} ms`),
        );
      }, this.commandTimeoutMs);
      this.pending.set(id, { type: message.type, resolve, reject, timer });
      this.socket.send(JSON.stringify({ ...message, id }), (error) => {
        if (error) this.take(id)?.reject(new HaConnectionError(`Could not send '${message.type}': ${error.message}`));
      });
    });
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.failure || this.closing) return;
    const messages = decodeFrame(data, isBinary);
    if (!messages) return this.breakLink(new HaConnectionError('Home Assistant sent a frame that is not valid JSON'));
    this.handleMessages(messages);
  }

  private handleMessages(messages: HaMessage[]): void {
    for (const message of messages) {
      if (this.failure || this.closing) return;
      if (message.id === undefined) continue;
      if (message.type === 'event') {
        const listener = this.subscriptions.get(message.id);
        if (!isRecord(message.event) || typeof message.event.event_type !== 'string') {
          return this.breakLink(new HaConnectionError('Home Assistant sent an event without an event type'));
        }
        const event = message.event as unknown as HaEventMessage;
        if (listener) invokeSafely(() => listener(event));
      } else if (message.type === 'pong') {
        this.take(message.id)?.resolve(undefined);
      } else if (message.type === 'result') {
        const pending = this.take(message.id);
        if (message.success === true) pending?.resolve(message.result);
        else pending?.reject(commandError(message.error));
      }
    }
  }

  /** Removes a pending command so that exactly one of answer, timeout or close settles it. */
  private take(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (!pending) return undefined;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }

  private breakLink(error: Error): void {
    this.failure ??= error;
    this.socket.terminate();
  }

  private rejectPending(reason: string): void {
    for (const id of [...this.pending.keys()]) {
      const pending = this.take(id);
      pending?.reject(new HaConnectionError(`${reason} before '${pending.type}' was answered`));
    }
  }

  private onSocketClosed(code: number): void {
    const normal = code === 1000 || code === 1001;
    const error =
      this.failure ??
      (normal ? undefined : new HaConnectionError(`The connection to Home Assistant was lost (${code})`));
    this.closed = { error };
    this.rejectPending('The connection to Home Assistant closed');
    this.subscriptions.clear();
    if (!this.closing) for (const listener of this.closeListeners.splice(0)) invokeSafely(() => listener(error));
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }
}

/** A throwing listener must not break dispatch to the others; its error still surfaces. */
function invokeSafely(run: () => void): void {
  try {
    run();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
