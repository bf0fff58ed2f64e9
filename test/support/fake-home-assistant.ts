import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HaContext, HaEventMessage, HaState } from '../../src/modules/home-assistant/ha-protocol';

/** What the fake starts with; the token can be changed later to simulate a revoked token. */
export interface FakeHaOptions {
  token: string;
  version?: string;
  components?: string[];
  states?: Array<{ entity_id: string; state: string; attributes?: Record<string, unknown> }>;
  /**
   * As Home Assistant does once a client announces `coalesce_messages`: messages queued in the same
   * turn of the event loop go out as one JSON array frame. Default true; false sends one frame each.
   */
  coalesce?: boolean;
}

/** A service call as received, so tests can assert what the client asked Home Assistant to do. */
export interface FakeServiceCall {
  domain: string;
  service: string;
  service_data?: Record<string, unknown>;
  target?: Record<string, unknown>;
}

interface Connection {
  socket: WebSocket;
  authenticated: boolean;
  coalesce: boolean;
  lastId: number;
  /** Subscription id → event type (undefined: every event). */
  subscriptions: Map<number, string | undefined>;
  outbox: string[];
}

type Command = Record<string, unknown> & { id: number; type: string };
type Reply = { result: unknown } | { error: { code: string; message: string } };

const TOGGLE_DOMAINS = new Set(['light', 'switch', 'input_boolean']);
const TOGGLE_SERVICES = new Set(['turn_on', 'turn_off', 'toggle']);
const DEFAULT_COMPONENTS = ['homeassistant', 'api', 'websocket_api', 'light', 'switch', 'input_boolean', 'script'];
const BENCH_ENTITIES = 250;
/** Caps one coalesced frame, so that a burst does not become a single huge frame. */
const MAX_COALESCED = 512;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CONTEXT_SEED = [...randomBytes(6)].map((byte) => CROCKFORD[byte % 32]).join('');
let contextCounter = 0;

/** Time-ordered, unique within the process, shaped like Home Assistant's ULID context ids. */
function contextId(): string {
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i++, time = Math.floor(time / 32)) head = CROCKFORD[time % 32] + head;
  return head + CONTEXT_SEED + (contextCounter++).toString(32).toUpperCase().padStart(10, '0');
}

/** Home Assistant's timestamp format: microseconds and an explicit UTC offset. */
function haTimestamp(): string {
  return new Date().toISOString().replace('Z', '000+00:00');
}

function newContext(): HaContext {
  return { id: contextId(), parent_id: null, user_id: null };
}

function entityIds(...sources: Array<Record<string, unknown> | undefined>): string[] {
  return sources.flatMap((source) => {
    const value = source?.entity_id;
    if (typeof value === 'string') return [value];
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  });
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Speaks Home Assistant's WebSocket API (auth, commands, subscriptions, coalesced frames) over a real
 * socket, so the client is tested against the protocol rather than against mocks of itself.
 */
export class FakeHomeAssistant {
  readonly url: string;
  token: string;
  readonly calls: FakeServiceCall[] = [];
  private readonly version: string;
  private readonly components: string[];
  private readonly coalesce: boolean;
  private readonly states = new Map<string, HaState>();
  private readonly connections = new Set<Connection>();
  private refusing = false;
  private attempts = 0;
  private arrayFrames = 0;
  private pushed = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
    options: FakeHaOptions,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.token = options.token;
    this.version = options.version ?? '2026.11.1';
    this.components = options.components ?? DEFAULT_COMPONENTS;
    this.coalesce = options.coalesce ?? true;
    for (const state of options.states ?? []) this.setState(state.entity_id, state.state, state.attributes ?? {});
    server.on('connection', (socket) => {
      if (this.refusing) socket.destroy();
    });
    server.on('upgrade', (request, socket, head) => {
      if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/api/websocket') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
    });
  }

  static async start(options: FakeHaOptions): Promise<FakeHomeAssistant> {
    const server = http.createServer((_request, response) => response.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeHomeAssistant(server, new WebSocketServer({ noServer: true }), options);
  }

  /** Authenticated sockets open now. */
  get connectionCount(): number {
    return [...this.connections].filter((c) => c.authenticated).length;
  }

  get authAttempts(): number {
    return this.attempts;
  }

  /** Frames that carried more than one message, to prove coalescing happened. */
  get coalescedFrames(): number {
    return this.arrayFrames;
  }

  /**
   * Bytes queued on the open sockets that the clients have not taken yet, plus messages still
   * waiting to be coalesced: a sender pushing bursts waits while this is high, as Home Assistant's
   * own send queue fills up against a slow client.
   */
  get bufferedAmount(): number {
    let total = 0;
    for (const connection of this.connections) {
      total += connection.socket.bufferedAmount;
      for (const text of connection.outbox) total += text.length;
    }
    return total;
  }

  /** Without attributes, the entity keeps its current ones. */
  setState(entityId: string, state: string, attributes?: Record<string, unknown>): HaState {
    return this.applyState(entityId, state, attributes, newContext());
  }

  fireEvent(eventType: string, data: Record<string, unknown>): void {
    this.emit({ event_type: eventType, data, origin: 'LOCAL', time_fired: haTimestamp(), context: newContext() });
  }

  /** Entity ids are `${entityPrefix}${n}` (default prefix `sensor.bench_`); the state is a counter. */
  pushStateChanges(count: number, options?: { entityPrefix?: string }): void {
    const prefix = options?.entityPrefix ?? 'sensor.bench_';
    for (let i = 0; i < count; i++) {
      const n = this.pushed++;
      this.applyState(`${prefix}${n % BENCH_ENTITIES}`, String(n), { sent_at: Date.now() }, newContext());
    }
  }

  dropConnections(): void {
    for (const connection of this.connections) connection.socket.terminate();
  }

  refuseConnections(refuse: boolean): void {
    this.refusing = refuse;
  }

  async waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async close(): Promise<void> {
    this.refusing = true;
    this.dropConnections();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const connection: Connection = {
      socket,
      authenticated: false,
      coalesce: false,
      lastId: 0,
      subscriptions: new Map(),
      outbox: [],
    };
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      let message: Record<string, unknown> | undefined;
      try {
        message = asRecord(JSON.parse(data.toString()));
      } catch {
        message = undefined;
      }
      if (!message) return socket.close(1003, 'invalid JSON');
      if (connection.authenticated) this.handle(connection, message);
      else this.authenticate(connection, message);
    });
    this.send(connection, { type: 'auth_required', ha_version: this.version });
  }

  private authenticate(connection: Connection, message: Record<string, unknown>): void {
    this.attempts++;
    if (message.type === 'auth' && message.access_token === this.token) {
      connection.authenticated = true;
      this.send(connection, { type: 'auth_ok', ha_version: this.version });
      return;
    }
    const reason = message.type === 'auth' ? 'Invalid access token or password' : 'Auth message incorrectly formatted';
    this.send(connection, { type: 'auth_invalid', message: reason });
    connection.socket.close();
  }

  private handle(connection: Connection, message: Record<string, unknown>): void {
    const { id, type } = message;
    if (typeof id !== 'number' || typeof type !== 'string') {
      return this.reply(connection, typeof id === 'number' ? id : 0, {
        error: { code: 'invalid_format', message: 'Message incorrectly formatted.' },
      });
    }
    if (id <= connection.lastId) {
      return this.reply(connection, id, {
        error: { code: 'id_reuse', message: 'Identifier values have to increase.' },
      });
    }
    connection.lastId = id;
    if (type === 'ping') return this.send(connection, { id, type: 'pong' });
    this.reply(connection, id, this.run(connection, { ...message, id, type }));
  }

  private run(connection: Connection, command: Command): Reply {
    switch (command.type) {
      case 'supported_features':
        connection.coalesce = asRecord(command.features)?.coalesce_messages === 1;
        return { result: null };
      case 'get_config':
        return {
          result: {
            version: this.version,
            components: this.components,
            location_name: 'Home',
            time_zone: 'Europe/Berlin',
            unit_system: {},
          },
        };
      case 'get_states':
        return { result: [...this.states.values()] };
      case 'subscribe_events': {
        const eventType = typeof command.event_type === 'string' ? command.event_type : undefined;
        connection.subscriptions.set(command.id, eventType === '*' ? undefined : eventType);
        return { result: null };
      }
      case 'unsubscribe_events':
        if (typeof command.subscription === 'number' && connection.subscriptions.delete(command.subscription)) {
          return { result: null };
        }
        return { error: { code: 'not_found', message: 'Subscription not found.' } };
      case 'call_service':
        return this.callService(command);
      default:
        return { error: { code: 'unknown_command', message: 'Unknown command.' } };
    }
  }

  /** Only accepted calls are recorded. Services of other known components succeed without effect. */
  private callService(command: Command): Reply {
    const { domain, service } = command;
    if (typeof domain !== 'string' || typeof service !== 'string') {
      return { error: { code: 'invalid_format', message: 'Message incorrectly formatted.' } };
    }
    const known = TOGGLE_DOMAINS.has(domain) ? TOGGLE_SERVICES.has(service) : this.components.includes(domain);
    if (!known) return { error: { code: 'not_found', message: 'Service not found.' } };
    const serviceData = asRecord(command.service_data);
    const target = asRecord(command.target);
    this.calls.push({
      domain,
      service,
      ...(serviceData ? { service_data: serviceData } : {}),
      ...(target ? { target } : {}),
    });
    const context = newContext();
    this.emit({
      event_type: 'call_service',
      data: { domain, service, service_data: serviceData ?? {} },
      origin: 'LOCAL',
      time_fired: haTimestamp(),
      context,
    });
    if (TOGGLE_DOMAINS.has(domain)) {
      for (const entityId of new Set(entityIds(target, serviceData))) {
        const current = this.states.get(entityId);
        if (!current || !entityId.startsWith(`${domain}.`)) continue;
        const on = service === 'turn_on' || (service === 'toggle' && current.state !== 'on');
        this.applyState(entityId, on ? 'on' : 'off', undefined, context);
      }
    }
    return { result: { context, ...(command.return_response === true ? { response: {} } : {}) } };
  }

  private applyState(
    entityId: string,
    state: string,
    attributes: Record<string, unknown> | undefined,
    context: HaContext,
  ): HaState {
    const old = this.states.get(entityId);
    const now = haTimestamp();
    const next: HaState = {
      entity_id: entityId,
      state,
      attributes: attributes ?? old?.attributes ?? {},
      last_changed: old && old.state === state ? old.last_changed : now,
      last_updated: now,
      context,
    };
    this.states.set(entityId, next);
    this.emit({
      event_type: 'state_changed',
      data: { entity_id: entityId, old_state: old ?? null, new_state: next },
      origin: 'LOCAL',
      time_fired: now,
      context,
    });
    return next;
  }

  /** Serialises the event once, whatever the number of subscribers. */
  private emit(event: HaEventMessage): void {
    let json: string | undefined;
    for (const connection of this.connections) {
      for (const [id, eventType] of connection.subscriptions) {
        if (eventType !== undefined && eventType !== event.event_type) continue;
        json ??= JSON.stringify(event);
        this.sendText(connection, `{"id":${id},"type":"event","event":${json}}`);
      }
    }
  }

  private reply(connection: Connection, id: number, reply: Reply): void {
    this.send(connection, { id, type: 'result', success: 'result' in reply, ...reply });
  }

  private send(connection: Connection, message: Record<string, unknown>): void {
    this.sendText(connection, JSON.stringify(message));
  }

  private sendText(connection: Connection, text: string): void {
    if (!this.coalesce || !connection.coalesce) {
      connection.socket.send(text);
      return;
    }
    connection.outbox.push(text);
    if (connection.outbox.length === 1) setImmediate(() => this.flush(connection));
  }

  private flush(connection: Connection): void {
    const { outbox, socket } = connection;
    for (let start = 0; start < outbox.length; start += MAX_COALESCED) {
      const batch = outbox.slice(start, start + MAX_COALESCED);
      if (batch.length > 1) this.arrayFrames++;
      socket.send(batch.length === 1 ? batch[0] : `[${batch.join(',')}]`);
    }
    connection.outbox = [];
  }
}
