import WebSocket, { type RawData } from 'ws';

/**
 * Shapes and errors of Home Assistant's WebSocket API
 * (https://developers.home-assistant.io/docs/api/websocket), kept apart from the client so that
 * test doubles can speak the same protocol without depending on the client's internals.
 */

/** Thrown before any socket is opened, so that a typo in the configuration fails fast and clearly. */
export class HaUrlError extends Error {
  override readonly name = 'HaUrlError';
}

/** The token was refused: retrying with the same token is pointless, unlike a {@link HaConnectionError}. */
export class HaAuthError extends Error {
  override readonly name = 'HaAuthError';
}

/** The link to Home Assistant is unusable (refused, timed out, closed, protocol broken); retrying may help. */
export class HaConnectionError extends Error {
  override readonly name = 'HaConnectionError';
}

/** Home Assistant answered a command with `success: false`; `code` is its machine-readable reason. */
export class HaCommandError extends Error {
  override readonly name = 'HaCommandError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Links a state or event to what caused it, which is how automations trace their own effects. */
export interface HaContext {
  id: string;
  parent_id: string | null;
  user_id: string | null;
}

/** One entity's state as Home Assistant reports it (`get_states`, `state_changed`). */
export interface HaState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
  context: HaContext;
}

/** The `event` member of an event message of a subscription. */
export interface HaEventMessage {
  event_type: string;
  data: Record<string, unknown>;
  origin: string;
  time_fired: string;
  context: HaContext;
}

/** The answer to `get_config`; only the members relied upon are typed, the rest pass through. */
export interface HaConfig {
  version: string;
  components: string[];
  location_name?: string;
  time_zone?: string;
  [key: string]: unknown;
}

/** Any message of the protocol, in either direction, before its type is known. */
export interface HaMessage {
  type: string;
  id?: number;
  [key: string]: unknown;
}

const WEBSOCKET_PATH = '/api/websocket';
const SCHEMES: Record<string, string> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };

/**
 * Users paste the address they open in a browser; the WebSocket endpoint is derived from it so that
 * one setting serves both. Credentials in the URL are refused rather than silently sent along.
 */
export function haWebSocketUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HaUrlError('The Home Assistant URL is not a valid URL');
  }
  const scheme = SCHEMES[parsed.protocol];
  if (!scheme) throw new HaUrlError(`The Home Assistant URL must use http, https, ws or wss, not ${parsed.protocol}`);
  if (parsed.username || parsed.password) {
    throw new HaUrlError('The Home Assistant URL must not contain credentials; use an access token');
  }
  if (!parsed.hostname) throw new HaUrlError('The Home Assistant URL has no host');
  const path = parsed.pathname.replace(/\/+$/, '');
  const wsPath = path.endsWith(WEBSOCKET_PATH) ? path : `${path}${WEBSOCKET_PATH}`;
  return `${scheme}//${parsed.host}${wsPath}${parsed.search}`;
}

/**
 * Opens a socket and runs the auth phase. `onAuthenticated` runs synchronously on `auth_ok`, so the
 * caller's listeners are attached before any later frame can be emitted. The token is sent once and
 * redacted from whatever Home Assistant says back; on any failure the socket is dropped, never left open.
 */
export function authenticate<T>(
  url: string,
  token: string,
  timeoutMs: number,
  onAuthenticated: (socket: WebSocket, haVersion: string, rest: HaMessage[]) => T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const socket = new WebSocket(url);
    let haVersion = '';
    let settled = false;
    const timer = setTimeout(
      () =>
        fail(new HaConnectionError(`Home Assistant at ${url} did not accept the connection within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const detach = () => {
      settled = true;
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const fail = (error: Error) => {
      if (settled) return;
      detach();
      // Keeps a late 'error' of the dropped socket from becoming an unhandled event.
      socket.on('error', () => undefined);
      socket.terminate();
      reject(error);
    };
    const onError = (error: Error) =>
      fail(new HaConnectionError(`Cannot connect to Home Assistant at ${url}: ${error.message}`, { cause: error }));
    const onClose = (code: number) =>
      fail(new HaConnectionError(`Home Assistant at ${url} closed the connection during authentication (${code})`));
    const onMessage = (data: RawData, isBinary: boolean) => {
      const messages = decodeFrame(data, isBinary);
      if (!messages) return fail(new HaConnectionError('Home Assistant sent an invalid message during authentication'));
      for (const [index, message] of messages.entries()) {
        if (message.type === 'auth_required') {
          haVersion = stringOr(message.ha_version, haVersion);
          socket.send(JSON.stringify({ type: 'auth', access_token: token }));
        } else if (message.type === 'auth_ok') {
          detach();
          return resolve(onAuthenticated(socket, stringOr(message.ha_version, haVersion), messages.slice(index + 1)));
        } else if (message.type === 'auth_invalid') {
          const reason = stringOr(message.message, 'Invalid access token').split(token).join('[redacted]');
          return fail(new HaAuthError(`Home Assistant refused the access token: ${reason}`));
        } else {
          return fail(new HaConnectionError(`Home Assistant sent '${message.type}' before authentication`));
        }
      }
    };
    socket.on('message', onMessage);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

/**
 * Home Assistant may coalesce several messages into one JSON array frame; both forms become a list.
 * Returns undefined when the frame is not valid protocol (it only sends text), which callers treat
 * as a broken link.
 */
export function decodeFrame(data: RawData, isBinary: boolean): HaMessage[] | undefined {
  if (isBinary) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawText(data));
  } catch {
    return undefined;
  }
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  return messages.every(isMessage) ? messages : undefined;
}

/** The error of a `result` with `success: false`, tolerant of a missing or malformed `error`. */
export function commandError(error: unknown): HaCommandError {
  const details = isRecord(error) ? error : {};
  return new HaCommandError(
    stringOr(details.code, 'unknown_error'),
    stringOr(details.message, 'Home Assistant reported an error'),
  );
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Home Assistant's messages are untrusted input; absent or mistyped members fall back. */
export function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** Narrows untrusted JSON before its members are read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMessage(value: unknown): value is HaMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const message = value as Record<string, unknown>;
  return typeof message.type === 'string' && (message.id === undefined || typeof message.id === 'number');
}
