import type { Client } from 'pg';
import { uuidv7 } from 'uuidv7';
import { LocalEmbedder, toVectorLiteral } from '../src/modules/home-assistant/embedding';
import { withClient } from './database';
import { graphql, isObject, jsonHeaders, postJson, requestBody, stringAt } from './graphql';
import { peakRssMb, resetPeakRss } from './processes';
import type { Seed } from './seed';
import { serverCounters, startApi, type Server, type ServerOptions } from './servers';
import { formatGrid } from './table';
import { errorText, intEnv, log, withTimeout } from './util';

/**
 * `ha-similar`: BENCH_HA_SIMILAR_EVENTS state_changed events of one connection of the bench user
 * (about 300 entities of light/switch/sensor/binary_sensor/climate, on/off and numeric states,
 * over the last 30 days), embedded here with the project's LocalEmbedder and `toVectorLiteral`
 * (as the API's embedding worker would), inserted with SQL, the HNSW index built once over them,
 * ANALYZE. Then `similarHaEvents(first: 10)` over HTTP for BENCH_HA_SIMILAR_QUERIES random source
 * events, one at a time and BENCH_HA_SIMILAR_CONCURRENCY at a time, and recall@10 against the same
 * SQL with index scans disabled (exact). Env: BENCH_HA_SIMILAR_EVENTS (100000),
 * BENCH_HA_SIMILAR_QUERIES (200), BENCH_HA_SIMILAR_CONCURRENCY (16).
 */

export const HA_SIMILAR_BENCH = 'ha-similar';

export interface HaSimilarSettings {
  events: number;
  queries: number;
  concurrency: number;
}

export function haSimilarSettings(): HaSimilarSettings {
  return {
    events: intEnv('BENCH_HA_SIMILAR_EVENTS', 100_000, 100, 5_000_000),
    queries: intEnv('BENCH_HA_SIMILAR_QUERIES', 200, 1, 100_000),
    concurrency: intEnv('BENCH_HA_SIMILAR_CONCURRENCY', 16, 1, 256),
  };
}

const FIRST = 10;
const WARMUP_QUERIES = 20;
const INSERT_BATCH = 1000;
const DAYS = 30;
const INDEX_NAME = 'ha_events_embedding_index';
/** Same float8 distances on both sides; anything this close is a tie. */
const TIE_EPSILON = 1e-9;
/** As the API's service sets it (ha-events.service.ts). */
const EF_SEARCH = 100;

// ---------------------------------------------------------------------------------------------
// A home: entities and their events.

/** Deterministic, so that every run stores the same home (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'toggle' | 'numeric' | 'climate';

interface Entity {
  id: string;
  kind: Kind;
  /** Relative event frequency. */
  weight: number;
  state: string;
  attributes: (state: string, rnd: () => number) => Record<string, unknown>;
  next: (state: string, rnd: () => number) => string;
}

const ROOMS = [
  'kitchen',
  'living_room',
  'bedroom',
  'bathroom',
  'hallway',
  'office',
  'garage',
  'garden',
  'kids_room',
  'basement',
  'attic',
  'dining_room',
  'guest_room',
  'laundry',
  'porch',
  'study',
  'nursery',
  'pantry',
  'workshop',
  'terrace',
];

const title = (text: string) => text.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
const toggle = (state: string) => (state === 'on' ? 'off' : 'on');

function numeric(min: number, max: number, step: number, digits: number) {
  return (state: string, rnd: () => number) => {
    const value = Math.min(max, Math.max(min, Number(state) + (rnd() - 0.5) * 2 * step));
    return value.toFixed(digits);
  };
}

/** 20 rooms × 15 devices + 10 thermostats = 310 entities. */
function buildHome(rnd: () => number): Entity[] {
  const entities: Entity[] = [];
  ROOMS.forEach((room, r) => {
    for (const kind of ['ceiling', 'lamp', 'strip']) {
      const id = `light.${room}_${kind}`;
      entities.push({
        id,
        kind: 'toggle',
        weight: 3,
        state: 'off',
        attributes: (state, rand) => ({
          friendly_name: title(`${room} ${kind}`),
          supported_color_modes: kind === 'strip' ? ['xy', 'color_temp'] : ['brightness'],
          ...(state === 'on'
            ? { brightness: Math.round(40 + rand() * 215), color_mode: kind === 'strip' ? 'xy' : 'brightness' }
            : { brightness: null, color_mode: null }),
        }),
        next: toggle,
      });
    }
    for (const kind of ['plug', 'fan', 'heater']) {
      entities.push({
        id: `switch.${room}_${kind}`,
        kind: 'toggle',
        weight: 1,
        state: 'off',
        attributes: () => ({ friendly_name: title(`${room} ${kind}`), icon: `mdi:${kind}` }),
        next: toggle,
      });
    }
    const sensors: Array<[string, string, string, number, number, number, number]> = [
      ['temperature', 'temperature', '°C', 16, 27, 0.4, 1],
      ['humidity', 'humidity', '%', 30, 75, 2, 0],
      ['power', 'power', 'W', 0, 2500, 150, 1],
      ['illuminance', 'illuminance', 'lx', 0, 900, 60, 0],
      ['battery', 'battery', '%', 5, 100, 1, 0],
    ];
    for (const [name, deviceClass, unit, min, max, step, digits] of sensors) {
      entities.push({
        id: `sensor.${room}_${name}`,
        kind: 'numeric',
        weight: name === 'battery' ? 0.3 : name === 'power' ? 6 : 3,
        state: (min + rnd() * (max - min)).toFixed(digits),
        attributes: () => ({
          friendly_name: title(`${room} ${name}`),
          device_class: deviceClass,
          unit_of_measurement: unit,
          state_class: 'measurement',
        }),
        next: numeric(min, max, step, digits),
      });
    }
    for (const [name, deviceClass] of [
      ['motion', 'motion'],
      ['door', 'door'],
      ['window', 'window'],
      ['occupancy', 'occupancy'],
    ] as const) {
      entities.push({
        id: `binary_sensor.${room}_${name}`,
        kind: 'toggle',
        weight: name === 'motion' ? 5 : name === 'occupancy' ? 2 : 1,
        state: 'off',
        attributes: () => ({ friendly_name: title(`${room} ${name}`), device_class: deviceClass }),
        next: toggle,
      });
    }
    if (r < 10) {
      const modes = ['heat', 'off', 'auto', 'cool'];
      entities.push({
        id: `climate.${room}`,
        kind: 'climate',
        weight: 0.5,
        state: 'heat',
        attributes: (state, rand) => ({
          friendly_name: title(`${room} thermostat`),
          hvac_modes: modes,
          hvac_action: state === 'off' ? 'off' : rand() < 0.5 ? 'idle' : state === 'cool' ? 'cooling' : 'heating',
          temperature: state === 'off' ? null : Math.round(36 + rand() * 14) / 2,
          current_temperature: Math.round(170 + rand() * 80) / 10,
          min_temp: 7,
          max_temp: 35,
        }),
        next: (state, rand) => {
          const others = modes.filter((m) => m !== state);
          return others[Math.floor(rand() * others.length)] ?? 'heat';
        },
      });
    }
  });
  return entities;
}

/** Hour-of-day weights: quiet nights, busy mornings and evenings. */
const HOUR_WEIGHTS = [1, 0.5, 0.4, 0.4, 0.5, 1, 3, 5, 4, 2.5, 2, 2, 2.5, 2, 2, 2, 2.5, 4, 5, 5, 4.5, 4, 3, 2];

interface GeneratedEvent {
  entityId: string;
  oldState: string | null;
  newState: string;
  attributes: Record<string, unknown>;
  timestamp: Date;
}

function pick<T>(items: T[], cumulative: number[], total: number, rnd: () => number): T {
  const target = rnd() * total;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((cumulative[mid] ?? 0) < target) low = mid + 1;
    else high = mid;
  }
  const item = items[low];
  if (item === undefined) throw new Error('weighted pick out of range');
  return item;
}

function cumulate(weights: number[]): { cumulative: number[]; total: number } {
  let total = 0;
  const cumulative = weights.map((w) => (total += w));
  return { cumulative, total };
}

/** `count` events in time order over the `DAYS` days before `end`. */
function generateEvents(count: number, end: number): GeneratedEvent[] {
  const rnd = random(20_261_122);
  const home = buildHome(rnd);
  const entities = cumulate(home.map((e) => e.weight));
  const hours = Array.from({ length: DAYS * 24 }, (_, h) => h);
  const perHour = cumulate(hours.map((h) => HOUR_WEIGHTS[h % 24] ?? 1));
  const start = end - DAYS * 86_400_000;
  const times = Array.from({ length: count }, () => {
    const hour = pick(hours, perHour.cumulative, perHour.total, rnd);
    return start + (hour + rnd()) * 3_600_000;
  }).sort((a, b) => a - b);
  // Day-aligned hours: the first of the 30 days starts at a UTC midnight.
  const offset = start - (start % 86_400_000);
  return times.map((time) => {
    const entity = pick(home, entities.cumulative, entities.total, rnd);
    const oldState = entity.state;
    entity.state = entity.next(oldState, rnd);
    return {
      entityId: entity.id,
      oldState,
      newState: entity.state,
      attributes: entity.attributes(entity.state, rnd),
      timestamp: new Date(Math.round(time - start + offset)),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Storing them.

async function createConnection(api: Server, token: string): Promise<string> {
  // Never connected (HA_ENGINE=false): only its rows matter.
  const created = await graphql(
    `${api.base}/graphql`,
    `
      mutation Connect($input: CreateHaConnectionInput!) {
        createHaConnection(input: $input) {
          id
        }
      }
    `,
    {
      token,
      variables: { input: { name: 'Bench home', url: 'http://127.0.0.1:9', accessToken: 'bench-unused-token' } },
    },
  );
  return stringAt(created, 'createHaConnection', 'id');
}

interface LoadTimes {
  /** LocalEmbedder.embedOne. */
  embedSeconds: number;
  /** toVectorLiteral. */
  literalSeconds: number;
  insertSeconds: number;
  indexSeconds: number;
}

/**
 * Inserts the events with their embeddings while the vector index is dropped, then creates it
 * again from its own definition: one build instead of an HNSW insert per row.
 */
async function storeEvents(
  db: Client,
  workspaceId: string,
  connectionId: string,
  events: GeneratedEvent[],
): Promise<LoadTimes> {
  const { rows: defs } = await db.query<{ indexdef: string }>(
    `select indexdef from pg_indexes where tablename = 'ha_events' and indexname = $1`,
    [INDEX_NAME],
  );
  const indexdef = defs[0]?.indexdef;
  if (!indexdef) throw new Error(`no index ${INDEX_NAME} on ha_events`);
  const embedder = new LocalEmbedder();
  let embedMs = 0;
  let literalMs = 0;
  let insertMs = 0;
  await db.query(`drop index ${INDEX_NAME}`);
  let lastLog = Date.now();
  for (let start = 0; start < events.length; start += INSERT_BATCH) {
    const batch = events.slice(start, start + INSERT_BATCH);
    const embedStarted = performance.now();
    const dense = batch.map((e) =>
      embedder.embedOne({
        eventType: 'state_changed',
        entityId: e.entityId,
        oldState: e.oldState,
        newState: e.newState,
        attributes: e.attributes,
        timestamp: e.timestamp,
      }),
    );
    const literalStarted = performance.now();
    const vectors = dense.map(toVectorLiteral);
    const insertStarted = performance.now();
    embedMs += literalStarted - embedStarted;
    literalMs += insertStarted - literalStarted;
    await db.query(
      `insert into ha_events (id, workspace_id, connection_id, event_type, entity_id, old_state, new_state, attributes,
                              context_id, timestamp, processed_at, created_at, embedding_vector)
       select id, $1, $2, 'state_changed', entity_id, old_state, new_state, attributes, context_id, ts, ts, ts, v::vector
         from unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::timestamptz[], $10::text[])
              as x(id, entity_id, old_state, new_state, attributes, context_id, ts, v)`,
      [
        workspaceId,
        connectionId,
        batch.map(() => uuidv7()),
        batch.map((e) => e.entityId),
        batch.map((e) => e.oldState),
        batch.map((e) => e.newState),
        batch.map((e) => JSON.stringify(e.attributes)),
        batch.map((_, i) => `01BENCHSIMILAR${(start + i).toString(32).toUpperCase().padStart(12, '0')}`),
        batch.map((e) => e.timestamp.toISOString()),
        vectors,
      ],
    );
    insertMs += performance.now() - insertStarted;
    if (Date.now() - lastLog >= 10_000) {
      log(`${HA_SIMILAR_BENCH}: ${start + batch.length} of ${events.length} events embedded and inserted`);
      lastLog = Date.now();
    }
  }
  log(`${HA_SIMILAR_BENCH}: building ${INDEX_NAME} over ${events.length} vectors`);
  const indexStarted = performance.now();
  // The graph of 100,000 vectors of 1536 floats needs about 700 MB to be built in memory.
  await db.query(`set maintenance_work_mem = '2GB'`);
  await db.query(indexdef);
  await db.query('reset maintenance_work_mem');
  const indexSeconds = (performance.now() - indexStarted) / 1000;
  await db.query('analyze ha_events');
  return {
    embedSeconds: embedMs / 1000,
    literalSeconds: literalMs / 1000,
    insertSeconds: insertMs / 1000,
    indexSeconds,
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Match {
  id: string;
  distance: number;
}

const SIMILAR = `query Similar($id: ID!, $first: Int) {
  similarHaEvents(eventId: $id, first: $first) { distance event { id } }
}`;

async function similar(url: string, token: string, id: string): Promise<{ ms: number; matches: Match[] }> {
  const started = performance.now();
  const response = await postJson(url, requestBody(SIMILAR, { id, first: FIRST }), jsonHeaders(token));
  const ms = performance.now() - started;
  const list = isObject(response.data) ? response.data.similarHaEvents : undefined;
  if (response.errors !== undefined || !Array.isArray(list)) {
    throw new Error(`similarHaEvents failed: ${JSON.stringify(response).slice(0, 1000)}`);
  }
  const matches = list.map((m: unknown): Match => {
    const distance = isObject(m) ? m.distance : undefined;
    const eventId = isObject(m) && isObject(m.event) ? m.event.id : undefined;
    if (typeof distance !== 'number' || typeof eventId !== 'string') {
      throw new Error(`unexpected match ${JSON.stringify(m)}`);
    }
    return { id: eventId, distance };
  });
  return { ms, matches };
}

interface Pass {
  concurrency: number;
  latenciesMs: number[];
  seconds: number;
}

/** Every id once, `concurrency` requests in flight; the answers go into `answers` when given. */
async function runPass(
  url: string,
  token: string,
  ids: string[],
  concurrency: number,
  answers?: Map<string, Match[]>,
): Promise<Pass> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const id = ids[i];
      if (id === undefined) break;
      const { ms, matches } = await similar(url, token, id);
      latenciesMs.push(ms);
      answers?.set(id, matches);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { concurrency, latenciesMs, seconds: (performance.now() - started) / 1000 };
}

/** The service's statement (ha-events.service.ts) selecting only id and distance, with `$1` the source vector. */
const NEAREST_SQL = `
  select * from (
    select e.id, (e.embedding_vector <=> $1::vector)::float8 as distance
      from ha_events e
     where e.workspace_id = $2
       and e.connection_id in (select id from ha_connections where user_id = $3 and workspace_id = $2)
       and ($4::uuid is null or e.connection_id = $4::uuid)
       and e.id <> $5
       and e.embedding_vector is not null
     order by e.embedding_vector <=> $1::vector
     limit $6) nearest
  order by distance, id`;

async function sourceVector(db: Client, id: string): Promise<string> {
  const { rows } = await db.query<{ v: string | null }>(
    'select embedding_vector::text v from ha_events where id = $1',
    [id],
  );
  const v = rows[0]?.v;
  if (!v) throw new Error(`event ${id} has no embedding`);
  return v;
}

/** The exact nearest neighbours: the same statement with index scans off (a sequential scan and a sort). */
async function exactNearest(db: Client, seed: Seed, id: string): Promise<{ ms: number; matches: Match[] }> {
  const vector = await sourceVector(db, id);
  const started = performance.now();
  await db.query('begin');
  try {
    await db.query('set local enable_indexscan = off');
    const { rows } = await db.query<Match>(NEAREST_SQL, [vector, seed.workspaceId, seed.adminUserId, null, id, FIRST]);
    await db.query('commit');
    return { ms: performance.now() - started, matches: rows };
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}

/** The plan of the statement, to show which way each side goes. */
async function plan(db: Client, seed: Seed, id: string, exact: boolean): Promise<string> {
  const vector = await sourceVector(db, id);
  await db.query('begin');
  try {
    if (exact) await db.query('set local enable_indexscan = off');
    else {
      await db.query(
        `select set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`,
        [String(EF_SEARCH)],
      );
    }
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(`explain ${NEAREST_SQL}`, [
      vector,
      seed.workspaceId,
      seed.adminUserId,
      null,
      id,
      FIRST,
    ]);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await db.query('rollback');
  }
}

interface Recall {
  /** Mean share of the exact top 10 ids the API returned. */
  strict: number;
  /** Mean share of the API's results at most as far as the exact 10th (ties count). */
  withTies: number;
  /** Sources for which the API returned fewer than FIRST matches. */
  short: number;
  exactLatenciesMs: number[];
}

async function measureRecall(db: Client, seed: Seed, ids: string[], answers: Map<string, Match[]>): Promise<Recall> {
  let strict = 0;
  let withTies = 0;
  let short = 0;
  const exactLatenciesMs: number[] = [];
  let lastLog = Date.now();
  for (const id of ids) {
    if (Date.now() - lastLog >= 15_000) {
      log(`${HA_SIMILAR_BENCH}: exact search: ${exactLatenciesMs.length} of ${ids.length} sources done`);
      lastLog = Date.now();
    }
    const api = answers.get(id) ?? [];
    const exact = await exactNearest(db, seed, id);
    exactLatenciesMs.push(exact.ms);
    const want = exact.matches.length;
    if (want === 0) continue;
    if (api.length < want) short++;
    const exactIds = new Set(exact.matches.map((m) => m.id));
    const kth = exact.matches[want - 1]?.distance ?? Number.POSITIVE_INFINITY;
    strict += api.filter((m) => exactIds.has(m.id)).length / want;
    withTies += Math.min(want, api.filter((m) => m.distance <= kth + TIE_EPSILON).length) / want;
  }
  return { strict: strict / ids.length, withTies: withTies / ids.length, short, exactLatenciesMs };
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

export interface HaSimilarResult {
  settings: HaSimilarSettings;
  load: LoadTimes;
  passes: Pass[];
  sqlPerRequest: number;
  peakRssMb: number;
  peakIsPerPass: boolean;
  recall: Recall;
  indexSizeMb: number;
  tableSizeMb: number;
  apiPlan: string;
  exactPlan: string;
}

export async function runHaSimilarBench(
  seed: Seed,
  options: ServerOptions,
  nodeArgs: string[],
  settings: HaSimilarSettings,
): Promise<HaSimilarResult> {
  const api = await startApi({
    ...options,
    nodeArgs,
    name: 'similar-api',
    env: { TRIGGER_ENGINE: 'false', HA_ENGINE: 'false' },
  });
  try {
    return await withClient(options.databaseUrl, async (db) => {
      const connectionId = await createConnection(api, seed.token);
      const generated = Date.now();
      const events = generateEvents(settings.events, generated);
      log(
        `${HA_SIMILAR_BENCH}: generated ${events.length} events of ` +
          `${new Set(events.map((e) => e.entityId)).size} entities in ${((Date.now() - generated) / 1000).toFixed(1)} s`,
      );
      await db.query(`set statement_timeout = '30min'`);
      const load = await withTimeout(
        storeEvents(db, seed.workspaceId, connectionId, events),
        3_600_000,
        'storing the events',
      );
      await db.query('reset statement_timeout');
      log(
        `${HA_SIMILAR_BENCH}: embedded in ${load.embedSeconds.toFixed(1)} s + ${load.literalSeconds.toFixed(1)} s ` +
          `(vector literals), inserted in ${load.insertSeconds.toFixed(1)} s, ` +
          `index built in ${load.indexSeconds.toFixed(1)} s`,
      );
      const { rows: sizes } = await db.query<{ index: number; table: number }>(
        `select pg_relation_size($1::regclass)::float8 / 1048576 index,
                pg_total_relation_size('ha_events')::float8 / 1048576 "table"`,
        [INDEX_NAME],
      );
      const { rows: picked } = await db.query<{ id: string }>(
        `select id from ha_events where connection_id = $1 order by md5(id::text || 'bench') limit $2`,
        [connectionId, settings.queries + WARMUP_QUERIES],
      );
      const warmup = picked.slice(0, WARMUP_QUERIES).map((r) => r.id);
      const ids = picked.slice(WARMUP_QUERIES).map((r) => r.id);
      const url = `${api.base}/graphql`;

      await runPass(url, seed.token, warmup, 1);
      const answers = new Map<string, Match[]>();
      const peakIsPerPass = resetPeakRss(api.child.pid);
      const before = await serverCounters(api);
      log(`${HA_SIMILAR_BENCH}: ${ids.length} queries one at a time`);
      const sequential = await runPass(url, seed.token, ids, 1, answers);
      const after = await serverCounters(api);
      log(`${HA_SIMILAR_BENCH}: ${ids.length} queries ${settings.concurrency} at a time`);
      const concurrent = await runPass(url, seed.token, ids, settings.concurrency);
      const peakRss = peakRssMb(api.child.pid);
      const operations = after.operations - before.operations;

      log(`${HA_SIMILAR_BENCH}: exact search for ${ids.length} sources`);
      const recall = await measureRecall(db, seed, ids, answers);
      const first = ids[0] ?? warmup[0] ?? '';
      const apiPlan = await plan(db, seed, first, false);
      const exactPlan = await plan(db, seed, first, true);
      if (!apiPlan.includes(INDEX_NAME)) log(`${HA_SIMILAR_BENCH}: the API's statement does not use ${INDEX_NAME}`);
      if (exactPlan.includes(INDEX_NAME)) throw new Error(`the exact search still uses ${INDEX_NAME}`);
      return {
        settings,
        load,
        passes: [sequential, concurrent],
        sqlPerRequest: (after.statements - before.statements) / (operations > 0 ? operations : ids.length),
        peakRssMb: peakRss,
        peakIsPerPass,
        recall,
        indexSizeMb: sizes[0]?.index ?? Number.NaN,
        tableSizeMb: sizes[0]?.table ?? Number.NaN,
        apiPlan,
        exactPlan,
      };
    });
  } catch (error) {
    throw new Error(`${HA_SIMILAR_BENCH}: ${errorText(error)}`, { cause: error });
  } finally {
    await api.child.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

const HEADER = [
  'scenario',
  'events',
  'queries',
  'concurrency',
  'req/s',
  'p50 ms',
  'p99 ms',
  'SQL/req',
  'peak RSS MB',
  'recall@10',
  'recall@10 ties',
];

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '?');

export function formatHaSimilarReport(result: HaSimilarResult): string {
  const { settings: s, recall, load } = result;
  const rows = result.passes.map((p) => [
    p.concurrency === 1 ? HA_SIMILAR_BENCH : `${HA_SIMILAR_BENCH} x${p.concurrency}`,
    String(s.events),
    String(p.latenciesMs.length),
    String(p.concurrency),
    fixed(p.latenciesMs.length / p.seconds),
    fixed(percentile(p.latenciesMs, 0.5), 1),
    fixed(percentile(p.latenciesMs, 0.99), 1),
    p.concurrency === 1 ? fixed(result.sqlPerRequest, 2) : '-',
    fixed(result.peakRssMb),
    fixed(recall.strict, 3),
    fixed(recall.withTies, 3),
  ]);
  const exactTotal = recall.exactLatenciesMs.reduce((a, b) => a + b, 0) / 1000;
  rows.push([
    'exact (pg, no index)',
    String(s.events),
    String(recall.exactLatenciesMs.length),
    '1',
    fixed(recall.exactLatenciesMs.length / exactTotal, 1),
    fixed(percentile(recall.exactLatenciesMs, 0.5), 1),
    fixed(percentile(recall.exactLatenciesMs, 0.99), 1),
    '-',
    '-',
    '1.000',
    '1.000',
  ]);
  return [
    formatGrid(HEADER, rows, new Set([0])),
    '',
    `${HA_SIMILAR_BENCH}: ${s.events} state_changed events of one connection (310 entities, 30 days), embedded in the ` +
      `bench with LocalEmbedder (${load.embedSeconds.toFixed(1)} s) and toVectorLiteral (${load.literalSeconds.toFixed(1)} s),`,
    `       inserted with SQL (${load.insertSeconds.toFixed(1)} s), HNSW index built afterwards ` +
      `(${load.indexSeconds.toFixed(1)} s, ${fixed(result.indexSizeMb)} MB; ha_events ${fixed(result.tableSizeMb)} MB), ANALYZE.`,
    `       similarHaEvents(eventId, first: ${FIRST}) over HTTP for ${s.queries} random events after ${WARMUP_QUERIES} ` +
      `warm-up queries; p50/p99 of the client's round trip; SQL/req = homeos_db_queries_total delta per operation;`,
    `       peak RSS = VmHWM of the API ${result.peakIsPerPass ? 'during the passes' : 'since it started'}.`,
    `       recall@10 = share of the exact top ${FIRST} ids returned (mean over sources); ties: share of returned ` +
      `matches no farther than the exact ${FIRST}th. Exact = the service's statement through pg with enable_indexscan = off`,
    `       (one at a time, the source vector fetched beforehand, not timed); ${recall.short} source(s) got fewer than ` +
      `${FIRST} matches from the API.`,
    `       plans: api -> ${summarisePlan(result.apiPlan)}; exact -> ${summarisePlan(result.exactPlan)}.`,
  ].join('\n');
}

/** The node names of a plan, outermost first, e.g. `Sort < Limit < Index Scan using …`. */
function summarisePlan(text: string): string {
  return text
    .split('\n')
    .filter((line, i) => i === 0 || line.includes('->'))
    .map((line) => line.replace(/^[\s->]*/, '').replace(/\s+\(cost=.*$/, ''))
    .join(' < ');
}
