import {
  EMBEDDING_DIMENSIONS,
  isVolatileAttribute,
  isVolatileValue,
  localTime,
  type EmbeddableEvent,
  type Embedder,
} from './embedder';

const FNV_PRIME = 0x01000193;
/** Bound once: a global lookup per byte costs more than the hashing where globals are sandboxed (jest). */
const imul = Math.imul;
/** Two FNV-1a offset bases: one hash picks the component, the other its sign. */
const INDEX_SEED = 0x811c9dc5;
const SIGN_SEED = 0x9e3779b9;

/** FNV-1a over the UTF-8 bytes of `text` (lone surrogates as U+FFFD, like TextEncoder), without encoding it. */
function fnv(state: number, text: string): number {
  let h = state;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      h = imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (c < 0x800) {
      h = imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME);
      h = imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
      continue;
    }
    if (c >= 0xd800 && c < 0xe000) {
      const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
        const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        h = imul(h ^ (0xf0 | (point >> 18)), FNV_PRIME);
        h = imul(h ^ (0x80 | ((point >> 12) & 0x3f)), FNV_PRIME);
        h = imul(h ^ (0x80 | ((point >> 6) & 0x3f)), FNV_PRIME);
        h = imul(h ^ (0x80 | (point & 0x3f)), FNV_PRIME);
        continue;
      }
      c = 0xfffd;
    }
    h = imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME);
    h = imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
    h = imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
  }
  return h;
}

/** Feeds the unit separator byte, which no key or state contains. */
function separate(h: number): number {
  return imul(h ^ 0x1f, FNV_PRIME);
}

/** murmur3's finaliser: FNV's low bits are weak, and the component is taken modulo 1536. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash states after a feature family's prefix, so that e.g. old state `on` and new state `on` differ. */
interface Namespace {
  index: number;
  sign: number;
}

function namespace(prefix: string): Namespace {
  return { index: fnv(INDEX_SEED, `${prefix}\u001f`), sign: fnv(SIGN_SEED, `${prefix}\u001f`) };
}

const NS = {
  empty: namespace('empty'),
  eventType: namespace('type'),
  entity: namespace('entity'),
  domain: namespace('domain'),
  token: namespace('token'),
  oldState: namespace('old'),
  newState: namespace('new'),
  transition: namespace('transition'),
  entityTransition: namespace('entity-transition'),
  key: namespace('key'),
  keyValue: namespace('key-value'),
  hour: namespace('hour'),
  period: namespace('period'),
  weekPart: namespace('week-part'),
  weekday: namespace('weekday'),
};

/**
 * Feature weights. Identity and the transition dominate, so that the same entity doing the same
 * thing is a near neighbour whatever the hour, and the other direction of the same entity lands
 * about halfway; time of day and attributes then order events within that neighbourhood.
 */
const WEIGHT = {
  eventType: 1,
  entity: 3,
  domain: 1.5,
  tokens: 1.5,
  oldState: 1.5,
  newState: 2,
  transition: 2.5,
  entityTransition: 2,
  keys: 1,
  keyValues: 1.5,
  nestedKey: 0.5,
  hour: 2,
  period: 1,
  weekPart: 0.75,
  weekday: 0.35,
};

const MAX_STATE_CHARS = 64;
const MAX_VALUE_CHARS = 32;
const MAX_ATTRIBUTES = 64;
const MAX_NESTED_KEYS = 16;
const HOURS = Array.from({ length: 24 }, (_, hour) => String(hour));
const PERIODS = Array.from({ length: 6 }, (_, period) => String(period));
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/** Rounded to two significant digits, so that brightness 198 and 203 are the same feature. */
function bucket(value: number): string {
  return value === 0 ? '0' : String(Number(value.toPrecision(2)));
}

function shorten(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

/** A state as a feature value: numeric states bucketed, others trimmed and cut. */
function stateFeature(state: string | null): { text: string; number: number | null } | null {
  if (state === null) return null;
  const trimmed = state.trim();
  if (DECIMAL.test(trimmed)) {
    const number = Number(trimmed);
    if (Number.isFinite(number)) return { text: bucket(number), number };
  }
  return { text: shorten(trimmed, MAX_STATE_CHARS), number: null };
}

/** The value part of a `key=value` feature, or `null` when only the key says something. */
function valueFeature(value: unknown): string | null {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? bucket(value) : null;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return isVolatileValue(value) ? null : shorten(value.trim(), MAX_VALUE_CHARS);
    case 'object':
      return value === null ? 'null' : null;
    default:
      return null;
  }
}

/**
 * Offline embedder without a model: the signed hashing trick over weighted features of an event
 * (type, entity, domain, object id tokens, states, transition, attributes, time of day, week
 * part). Deterministic across processes and versions of Node, so vectors stored yesterday stay
 * comparable with vectors computed today; cheap enough to embed every event as it arrives.
 *
 * Time of day is soft-assigned to the two nearest hour buckets (and, more coarsely, to 4-hour
 * periods) around the clock, so 07:10 and 07:50 share most of their time features and 23:50 is
 * as close to 00:10 as 11:50 is to 12:10.
 */
export class LocalEmbedder implements Embedder {
  /** Bump the version whenever the features change: older vectors are then in another space. */
  readonly name = 'local-hash-v1';
  private readonly accumulator = new Float64Array(EMBEDDING_DIMENSIONS);

  async embed(events: EmbeddableEvent[]): Promise<number[][]> {
    return events.map((event) => this.embedOne(event));
  }

  /** The vector of one event, L2-normalised. */
  embedOne(event: EmbeddableEvent): number[] {
    const acc = this.accumulator;
    acc.fill(0);
    this.addEvent(event);
    let squares = 0;
    for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) squares += acc[i] * acc[i];
    if (!(squares > 0)) {
      // Nothing to describe (or features that cancelled out): still a valid unit vector.
      acc.fill(0);
      this.add(NS.empty, '', 1);
      squares = 1;
    }
    const scale = 1 / Math.sqrt(squares);
    // A plain loop: Array.from over a typed array goes through the iterator and is ten times slower.
    const vector = new Array<number>(EMBEDDING_DIMENSIONS);
    for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) vector[i] = acc[i] * scale;
    return vector;
  }

  private add(ns: Namespace, value: string, weight: number): void {
    const index = mix(fnv(ns.index, value)) % EMBEDDING_DIMENSIONS;
    this.accumulator[index] += mix(fnv(ns.sign, value)) & 1 ? weight : -weight;
  }

  /** `first`, a unit separator, then `second`, without building the joined string. */
  private addPair(ns: Namespace, first: string, second: string, weight: number): void {
    const index = mix(fnv(separate(fnv(ns.index, first)), second)) % EMBEDDING_DIMENSIONS;
    this.accumulator[index] += mix(fnv(separate(fnv(ns.sign, first)), second)) & 1 ? weight : -weight;
  }

  private addEvent(event: EmbeddableEvent): void {
    const eventType = event.eventType.trim();
    if (eventType) this.add(NS.eventType, eventType, WEIGHT.eventType);
    const entityId = event.entityId?.trim() ?? '';
    if (entityId) this.addEntity(entityId);
    this.addStates(entityId, stateFeature(event.oldState), stateFeature(event.newState));
    if (event.attributes && typeof event.attributes === 'object') this.addAttributes(event.attributes);
    this.addTime(event);
  }

  private addEntity(entityId: string): void {
    this.add(NS.entity, entityId, WEIGHT.entity);
    const dot = entityId.indexOf('.');
    if (dot > 0) this.add(NS.domain, entityId.slice(0, dot), WEIGHT.domain);
    const tokens = entityId
      .slice(dot + 1)
      .split(/[_.]/)
      .filter((token) => token.length > 0);
    const weight = WEIGHT.tokens / Math.sqrt(tokens.length);
    for (const token of tokens) this.add(NS.token, token, weight);
  }

  private addStates(
    entityId: string,
    from: ReturnType<typeof stateFeature>,
    to: ReturnType<typeof stateFeature>,
  ): void {
    if (from) this.add(NS.oldState, from.text, WEIGHT.oldState);
    if (to) this.add(NS.newState, to.text, WEIGHT.newState);
    if (!from && !to) return;
    let transition: string;
    if (from?.number != null && to?.number != null) {
      // Numeric sensors: the direction generalises, the exact pair of readings would not.
      transition = to.number > from.number ? '↑' : to.number < from.number ? '↓' : '=';
    } else {
      transition = `${from?.text ?? '∅'}→${to?.text ?? '∅'}`;
    }
    this.add(NS.transition, transition, WEIGHT.transition);
    if (entityId) this.addPair(NS.entityTransition, entityId, transition, WEIGHT.entityTransition);
  }

  private addAttributes(attributes: Record<string, unknown>): void {
    const keys = Object.keys(attributes)
      .filter((key) => !isVolatileAttribute(key))
      .sort()
      .slice(0, MAX_ATTRIBUTES);
    if (keys.length === 0) return;
    const keyWeight = WEIGHT.keys / Math.sqrt(keys.length);
    const valueWeight = WEIGHT.keyValues / Math.sqrt(keys.length);
    for (const key of keys) {
      const value = attributes[key];
      this.add(NS.key, key, keyWeight);
      const text = valueFeature(value);
      if (text !== null) this.addPair(NS.keyValue, key, text, valueWeight);
      else if (typeof value === 'object' && value !== null && !Array.isArray(value)) this.addNestedKeys(key, value);
    }
  }

  /** Of a nested object, only which keys it has: its values are too specific to compare. */
  private addNestedKeys(parent: string, value: object): void {
    const children = Object.keys(value)
      .filter((key) => !isVolatileAttribute(key))
      .slice(0, MAX_NESTED_KEYS);
    const weight = WEIGHT.nestedKey / Math.sqrt(Math.max(children.length, 1));
    for (const child of children) this.addPair(NS.key, parent, child, weight);
  }

  private addTime(event: EmbeddableEvent): void {
    const time = localTime(event.timestamp, event.timeZone);
    if (!time) return;
    const hours = time.hour + time.minute / 60;
    this.addCyclic(NS.hour, HOURS, hours, WEIGHT.hour);
    this.addCyclic(NS.period, PERIODS, hours / 4, WEIGHT.period);
    const weekend = time.weekday === 0 || time.weekday === 6;
    this.add(NS.weekPart, weekend ? 'weekend' : 'weekday', WEIGHT.weekPart);
    this.add(NS.weekday, WEEKDAYS[time.weekday], WEIGHT.weekday);
  }

  /**
   * Linear interpolation between the two bucket centres around `position` (buckets wrap), so
   * the bucket a time falls in always weighs at least as much as its neighbour.
   */
  private addCyclic(ns: Namespace, labels: string[], position: number, weight: number): void {
    const shifted = position - 0.5;
    const lower = Math.floor(shifted);
    const fraction = shifted - lower;
    const count = labels.length;
    this.add(ns, labels[((lower % count) + count) % count], weight * (1 - fraction));
    if (fraction > 0) this.add(ns, labels[(lower + 1) % count], weight * fraction);
  }
}
