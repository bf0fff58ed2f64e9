/**
 * Width of `ha_events.embedding_vector` (`vector(1536)`). Every embedder produces exactly this
 * many components so that vectors from the local and a remote embedder fit the same column.
 */
export const EMBEDDING_DIMENSIONS = 1536;

/** What is embedded of one stored Home Assistant event. */
export interface EmbeddableEvent {
  eventType: string;
  entityId: string | null;
  oldState: string | null;
  newState: string | null;
  attributes: Record<string, unknown> | null;
  timestamp: Date;
  /** IANA time zone the time of day is read in, so "07:15" means the home's morning; UTC when absent. */
  timeZone?: string;
}

/**
 * Turns events into vectors for cosine similarity search. `name` identifies the embedding space
 * (embedder and version): vectors with different names must never be compared with each other.
 */
export interface Embedder {
  readonly name: string;
  /** One vector of EMBEDDING_DIMENSIONS components per event, in the order of `events`. */
  embed(events: EmbeddableEvent[]): Promise<number[][]>;
}

/**
 * An event could not be embedded (remote service failure, malformed answer, unusable vector).
 * Its message is meant for logs: it never contains credentials, but may name the remote host.
 */
export class EmbeddingError extends Error {
  constructor(
    message: string,
    /** HTTP status of the remote answer, when there was one. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmbeddingError';
  }
}

/** Local wall-clock time of an event, as far as similarity cares. */
export interface LocalTime {
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday, like `Date#getDay`. */
  weekday: number;
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEKDAY_INDEX = new Map(WEEKDAY_NAMES.map((name, index) => [name, index]));
const MAX_CACHED_ZONES = 64;
/** One formatter per zone: creating an `Intl.DateTimeFormat` costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone);
  if (formatter !== undefined) return formatter;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'long',
    });
  } catch {
    formatter = null;
  }
  if (formatters.size >= MAX_CACHED_ZONES) formatters.clear();
  formatters.set(timeZone, formatter);
  return formatter;
}

/**
 * Hour, minute and weekday of `timestamp` in `timeZone` (UTC when absent or not a zone this
 * runtime knows, so that one bad setting degrades the time features instead of failing the
 * batch). `null` for an invalid date.
 */
export function localTime(timestamp: Date, timeZone?: string): LocalTime | null {
  const ms = timestamp.getTime();
  if (!Number.isFinite(ms)) return null;
  const formatter = timeZone && timeZone !== 'UTC' ? formatterFor(timeZone) : null;
  if (formatter) {
    let hour = -1;
    let minute = -1;
    let weekday = -1;
    for (const part of formatter.formatToParts(ms)) {
      if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
      else if (part.type === 'weekday') weekday = WEEKDAY_INDEX.get(part.value) ?? -1;
    }
    if (hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && weekday >= 0) return { hour, minute, weekday };
  }
  return { hour: timestamp.getUTCHours(), minute: timestamp.getUTCMinutes(), weekday: timestamp.getUTCDay() };
}

const VOLATILE_KEYS = new Set([
  'context',
  'date',
  'datetime',
  'entity_picture',
  'last_changed',
  'last_reported',
  'last_reset',
  'last_seen',
  'last_triggered',
  'last_updated',
  'media_position',
  'nonce',
  'time',
  'timestamp',
]);
const VOLATILE_KEY_PATTERN = /(?:^|_)(?:id|ids|at|ts|time|timestamp|token|uuid)$/i;

/**
 * Whether an attribute changes from one event to the next without meaning anything (ids,
 * timestamps, tokens): such attributes would make identical situations look different, and some
 * (like `entity_picture`) carry access tokens that must not leave the server.
 */
export function isVolatileAttribute(key: string): boolean {
  return VOLATILE_KEYS.has(key) || VOLATILE_KEY_PATTERN.test(key);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:$|[T ]\d{2}:\d{2})/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const LONG_HEX = /^[0-9a-f]{20,}$/i;

/**
 * Whether a string attribute value is a timestamp or an identifier (ISO date, UUID, ULID, long
 * hex digest) under an innocent-looking key, e.g. `next_dawn` of `sun.sun`.
 */
export function isVolatileValue(value: string): boolean {
  return ISO_DATE.test(value) || UUID.test(value) || ULID.test(value) || LONG_HEX.test(value);
}

const MAX_TEXT_ATTRIBUTES = 24;
const MAX_TEXT_VALUE_CHARS = 64;
const MAX_TEXT_ARRAY_ITEMS = 8;

function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function textNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

function textScalar(value: unknown): string | null {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? textNumber(value) : null;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return isVolatileValue(value) ? null : cut(value, MAX_TEXT_VALUE_CHARS);
  return null;
}

function textValue(value: unknown): string | null {
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_TEXT_ARRAY_ITEMS).map(textScalar);
    if (items.some((item) => item === null)) return '[…]';
    return items.join(',') + (value.length > MAX_TEXT_ARRAY_ITEMS ? ',…' : '');
  }
  if (typeof value === 'object' && value !== null) return '{…}';
  return textScalar(value);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * A compact human-readable description of an event, which is what remote embedding models see,
 * e.g. `state_changed light.kitchen (light): off → on at 07:15 Monday; brightness=200
 * color_mode=xy friendly_name=Kitchen`. Attributes are sorted so that equal events read equally,
 * and volatile ones are left out for the same reason.
 */
export function eventText(event: EmbeddableEvent): string {
  let text = event.eventType.trim() || 'event';
  const entityId = event.entityId?.trim();
  if (entityId) {
    const dot = entityId.indexOf('.');
    text += dot > 0 ? ` ${entityId} (${entityId.slice(0, dot)})` : ` ${entityId}`;
  }
  if (event.oldState !== null || event.newState !== null) {
    const from = event.oldState === null ? 'none' : cut(event.oldState, MAX_TEXT_VALUE_CHARS);
    const to = event.newState === null ? 'none' : cut(event.newState, MAX_TEXT_VALUE_CHARS);
    text += `: ${from} → ${to}`;
  }
  const time = localTime(event.timestamp, event.timeZone);
  if (time) text += ` at ${pad2(time.hour)}:${pad2(time.minute)} ${WEEKDAY_NAMES[time.weekday]}`;
  const attributes = event.attributes;
  if (attributes && typeof attributes === 'object') {
    const pairs: string[] = [];
    for (const key of Object.keys(attributes).sort()) {
      if (pairs.length >= MAX_TEXT_ATTRIBUTES) break;
      if (isVolatileAttribute(key)) continue;
      const value = textValue(attributes[key]);
      if (value !== null) pairs.push(`${cut(key, MAX_TEXT_VALUE_CHARS)}=${value}`);
    }
    if (pairs.length > 0) text += `; ${pairs.join(' ')}`;
  }
  return text;
}

/** Smallest positive normal float32; pgvector stores float4, so anything smaller is noise. */
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;
/** Bound once: this runs for every component, and global lookups are slow where globals are sandboxed. */
const fround = Math.fround;

/** Shortest decimal that reads back as the same float4 pgvector will store. */
function vectorComponent(value: number, index: number): string {
  const single = fround(value);
  // Infinity - Infinity and NaN - NaN are NaN: one comparison rejects every non-finite value.
  if (single - single !== 0) {
    throw new EmbeddingError(`vector component ${index} is not a finite float4 (${value})`);
  }
  if (single < FLOAT32_MIN_NORMAL && single > -FLOAT32_MIN_NORMAL) return '0';
  for (let digits = 6; digits < 9; digits++) {
    const candidate = +single.toPrecision(digits);
    if (fround(candidate) === single) return `${candidate}`;
  }
  return `${+single.toPrecision(9)}`;
}

/**
 * pgvector's text input (`[0.1,0.2,…]`) for a vector, with each component written as the
 * shortest decimal of the float4 pgvector keeps: half the size of full doubles and lossless for
 * the column. Throws EmbeddingError on an empty vector or a non-finite component, which
 * PostgreSQL would reject anyway with a less helpful message.
 */
export function toVectorLiteral(vector: number[]): string {
  if (vector.length === 0) throw new EmbeddingError('a vector needs at least one component');
  let literal = '[';
  for (let i = 0; i < vector.length; i++) {
    if (i > 0) literal += ',';
    literal += vectorComponent(vector[i], i);
  }
  return `${literal}]`;
}
