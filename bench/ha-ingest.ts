import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Client } from 'pg';
import { uuidv7 } from 'uuidv7';
import { FakeHomeAssistant } from '../test/support/fake-home-assistant';
import { withClient } from './database';
import { graphql, stringAt } from './graphql';
import type { SubscribersResult } from './ha-subscribers';
import { Child, cpuSeconds, peakRssMb, resetPeakRss } from './processes';
import type { Seed } from './seed';
import { serverCounters, serverMetric, startApi, type Server, type ServerOptions } from './servers';
import { formatGrid } from './table';
import { errorText, intEnv, log, onCleanup, sleep, withTimeout } from './util';

/**
 * `ha-ingest`: the stand-in Home Assistant (test/support/fake-home-assistant.ts, real WebSocket
 * protocol, in this process) pushes state_changed events to one API instance (`HA_ENGINE=true`),
 * in frames of up to 512 events, never with more than 1 MiB unsent on its socket. Each phase has
 * a fresh instance (so that a crash ends only its phase) and its rows are deleted once checked:
 * - `x0`: BENCH_HA_EVENTS as fast as the API takes them, no subscriber (the ingest alone);
 * - `x1`: the same with one graphql-ws subscriber;
 * - `x1 @rate`: one subscriber, BENCH_HA_RATE events per second for BENCH_HA_PACED_SECONDS;
 * - `xN`: BENCH_HA_SUBSCRIBERS subscribers, BENCH_HA_FANOUT_EVENTS as fast as taken;
 * - `xN @rate`: the same subscribers, BENCH_HA_FANOUT_RATE per second for BENCH_HA_PACED_SECONDS.
 * The subscribers run in a child process (bench/ha-subscribers.ts). Measured: events stored per
 * second (first send to every row counted in `ha_events`), send-to-subscriber latency, SQL
 * statements per 1000 events, the API's CPU and peak RSS, and how fast the embedding worker
 * follows; then the floor: the same rows through `pg`, one plain multi-row INSERT per
 * HA_BATCH_SIZE rows, into a scratch copy of `ha_events`. Every event must be stored, and
 * delivered to every subscriber, exactly once, and the API must live through every phase.
 * Env: BENCH_HA_EVENTS (50000), BENCH_HA_RATE (1000, 0 skips), BENCH_HA_PACED_SECONDS (20),
 * BENCH_HA_SUBSCRIBERS (1000, 0 skips), BENCH_HA_FANOUT_EVENTS (200), BENCH_HA_FANOUT_RATE (2, 0
 * skips), BENCH_HA_PHASE_TIMEOUT_SECONDS (300), BENCH_HA_EMBED_WATCH_SECONDS (10: the embedding
 * worker is watched that long after the first phase), HA_BATCH_SIZE (2000), HA_FLUSH_MS (50),
 * HA_SUPERVISE_MS (5000, the API's default: a fresh instance claims the connection in the round it
 * runs at start, so it connects at once; idle rounds are counted in SQL/1000 ev),
 * BENCH_HA_EMBEDDINGS_URL (the API's EMBEDDINGS_URL; an unreachable URL keeps the embedding worker
 * out of the figures).
 */

export const HA_INGEST_BENCH = 'ha-ingest';

export interface HaIngestSettings {
  events: number;
  rate: number;
  pacedSeconds: number;
  subscribers: number;
  fanoutEvents: number;
  fanoutRate: number;
  phaseTimeoutSeconds: number;
  embedWatchSeconds: number;
  batchSize: number;
  flushMs: number;
  superviseMs: number;
  /** Passed to the API as EMBEDDINGS_URL when set. */
  embeddingsUrl: string | undefined;
}

export function haIngestSettings(): HaIngestSettings {
  return {
    events: intEnv('BENCH_HA_EVENTS', 50_000, 1, 2_000_000),
    rate: intEnv('BENCH_HA_RATE', 1000, 0, 1_000_000),
    pacedSeconds: intEnv('BENCH_HA_PACED_SECONDS', 20, 1, 3600),
    subscribers: intEnv('BENCH_HA_SUBSCRIBERS', 1000, 0, 10_000),
    fanoutEvents: intEnv('BENCH_HA_FANOUT_EVENTS', 200, 1, 1_000_000),
    fanoutRate: intEnv('BENCH_HA_FANOUT_RATE', 2, 0, 1_000_000),
    phaseTimeoutSeconds: intEnv('BENCH_HA_PHASE_TIMEOUT_SECONDS', 300, 10, 7200),
    embedWatchSeconds: intEnv('BENCH_HA_EMBED_WATCH_SECONDS', 10, 0, 3600),
    batchSize: intEnv('HA_BATCH_SIZE', 2000, 1, 50_000),
    flushMs: intEnv('HA_FLUSH_MS', 50, 1, 10_000),
    superviseMs: intEnv('HA_SUPERVISE_MS', 5000, 50, 600_000),
    embeddingsUrl: process.env.BENCH_HA_EMBEDDINGS_URL || undefined,
  };
}

const HA_TOKEN = 'bench-home-assistant-token';
/** Events per `pushStateChanges` call: one coalesced frame of the fake. */
const PUSH_CHUNK = 512;
/** The sender waits while more than this is queued on its sockets. */
const HIGH_WATER_BYTES = 1024 * 1024;
const POLL_MS = 100;
const PROGRESS_EVERY_MS = 5000;
/** No new row for this long ends a phase as stalled. */
const STALL_MS = 60_000;
/** Entities per prefix in the fake (`sensor.bench_<n % 250>`). */
const FAKE_ENTITIES = 250;

interface StoredCheck {
  rows: number;
  distinctContexts: number;
  distinctStates: number;
  /** Rows beyond one per event (same context id twice). */
  duplicates: number;
  /** Events pushed but not stored. */
  misses: number;
}

export interface IngestPhase {
  label: string;
  subscribers: number;
  events: number;
  /** Events per second pushed, 0 for as fast as taken. */
  rate: number;
  /** The error line of the API when it died during the phase. */
  crash: string | undefined;
  /** First send to the last push handed to the fake's sockets (backpressure included). */
  pushSeconds: number;
  /** First send to the poll that found every event's row (or to the end of the phase). */
  storedSeconds: number;
  /** Whether every event's row was found. */
  complete: boolean;
  stored: StoredCheck;
  delivery: SubscribersResult;
  /** SQL statements of the API from the first send until every delivery. */
  statements: number;
  /** Statements per second of the idle API just before (supervision rounds), for reference. */
  idleStatementsPerSecond: number;
  /** From the first send until every subscriber had every event. */
  apiCpuSeconds: number;
  peakRssMb: number;
  peakIsPerPhase: boolean;
  /** Rows without an embedding when every row was there. */
  embeddingBacklog: number;
  /** The embedding worker after the rows were there (undefined: not watched). */
  embedding: EmbeddingWatch | undefined;
  /** Error-level lines the API logged. */
  loggedErrors: number;
}

export interface FloorResult {
  rows: number;
  batchSize: number;
  seconds: number;
  rowsPerSecond: number;
  /** The same rows through the API's own INSERT statement, sent by pg the same way. */
  apiStatementRowsPerSecond: number;
}

export interface HaIngestResult {
  settings: HaIngestSettings;
  phases: IngestPhase[];
  floor: FloorResult;
}

// ---------------------------------------------------------------------------------------------
// Subscribers in a child process.

interface SubscriberChild {
  child: Child;
  result: Promise<SubscribersResult>;
}

async function startSubscribers(
  api: Server,
  token: string,
  connectionId: string,
  count: number,
  expect: number,
  base: number,
  options: ServerOptions,
): Promise<SubscriberChild> {
  const child = new Child({
    name: `ha-subscribers-${count}`,
    args: ['-r', '@swc-node/register', 'bench/ha-subscribers.ts'],
    env: {
      NODE_ENV: 'production',
      HA_SUB_URL: `${api.base.replace(/^http/, 'ws')}/graphql`,
      HA_SUB_TOKEN: token,
      HA_SUB_CONNECTION_ID: connectionId,
      HA_SUB_COUNT: String(count),
      HA_SUB_EXPECT: String(expect),
      HA_SUB_BASE: String(base),
    },
    echo: options.echo,
  });
  onCleanup(`stop ${child.options.name}`, () => child.stop());
  let buffered = '';
  let onReady: (() => void) | undefined;
  let onResult: ((result: SubscribersResult) => void) | undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const result = new Promise<SubscribersResult>((resolve, reject) => {
    onResult = resolve;
    void child.exited.then((code) =>
      reject(new Error(`${child.options.name} exited (${code}) without a result. Its output:\n${child.tail()}`)),
    );
  });
  result.catch(() => undefined);
  child.process.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line === 'ready') onReady?.();
      else if (line.startsWith('result ')) onResult?.(JSON.parse(line.slice('result '.length)) as SubscribersResult);
      newline = buffered.indexOf('\n');
    }
  });
  await withTimeout(
    Promise.race([
      ready,
      child.exited.then((code) => {
        throw new Error(`${child.options.name} exited (${code}) before it was ready:\n${child.tail()}`);
      }),
    ]),
    120_000,
    `connecting ${count} subscriber(s)`,
  );
  // The server counts a subscription once its operation started: wait until it counts them all.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const open = (await serverMetric(api, 'homeos_subscriptions_open')) ?? 0;
    if (open >= count) break;
    if (Date.now() > deadline) throw new Error(`only ${open} of ${count} subscriptions open after 30 s`);
    await sleep(50);
  }
  return { child, result };
}

// ---------------------------------------------------------------------------------------------
// The API's side: one instance per phase, so that a crash ends only its phase.

interface PhaseApi {
  api: Server;
  /** Error-level lines it logged (pino level >= 50). */
  errors: string[];
}

async function startPhaseApi(
  name: string,
  settings: HaIngestSettings,
  options: ServerOptions,
  nodeArgs: string[],
): Promise<PhaseApi> {
  const api = await startApi({
    ...options,
    nodeArgs,
    name,
    env: {
      TRIGGER_ENGINE: 'false',
      HA_ENGINE: 'true',
      HA_SUPERVISE_MS: String(settings.superviseMs),
      HA_FLUSH_MS: String(settings.flushMs),
      HA_BATCH_SIZE: String(settings.batchSize),
      ...(settings.embeddingsUrl ? { EMBEDDINGS_URL: settings.embeddingsUrl } : {}),
    },
  });
  const errors: string[] = [];
  const watch = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (/"level":(50|60)\b/.test(line)) errors.push(line);
    }
  };
  api.child.process.stdout?.on('data', watch);
  api.child.process.stderr?.on('data', watch);
  return { api, errors };
}

/** The first line naming an error in what a crashed child printed last. */
function crashLine(child: Child): string {
  const tail = child.tail(60);
  return /^\s*(\w*Error\b.*)$/m.exec(tail)?.[1]?.trim() ?? tail.split('\n').pop() ?? 'no output';
}

async function createConnection(api: Server, token: string, haUrl: string): Promise<string> {
  const created = await graphql(
    `${api.base}/graphql`,
    `
      mutation Connect($input: CreateHaConnectionInput!) {
        createHaConnection(input: $input) {
          id
        }
      }
    `,
    { token, variables: { input: { name: 'Bench Home Assistant', url: haUrl, accessToken: HA_TOKEN } } },
  );
  return stringAt(created, 'createHaConnection', 'id');
}

/** Until the instance started at `since` has connected and the fake sees exactly one client. */
async function waitConnected(db: Client, ha: FakeHomeAssistant, api: Server, connectionId: string, since: Date) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!api.child.running) throw new Error(`${api.child.options.name} exited: ${crashLine(api.child)}`);
    const { rows } = await db.query<{ status: string; fresh: boolean }>(
      `select status, coalesce(last_connected_at >= $2, false) fresh from ha_connections where id = $1`,
      [connectionId, since.toISOString()],
    );
    const status = rows[0]?.status ?? 'missing';
    if (status === 'CONNECTED' && rows[0]?.fresh && ha.connectionCount === 1) return;
    if (status === 'AUTH_FAILED') throw new Error('the API could not authenticate with the stand-in Home Assistant');
    if (Date.now() > deadline) {
      throw new Error(`the connection is ${status} with ${ha.connectionCount} client(s) on the fake after 60 s`);
    }
    await sleep(50);
  }
}

async function countRows(client: Client, connectionId: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>('select count(*)::int n from ha_events where connection_id = $1', [
    connectionId,
  ]);
  return rows[0]?.n ?? 0;
}

async function unembedded(client: Client, connectionId: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    'select count(*)::int n from ha_events where connection_id = $1 and embedding_vector is null',
    [connectionId],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Pushes `count` state changes in frames, waiting while the fake's sockets hold more than the
 * high-water mark; at most `rate` events per second when `rate` > 0.
 */
async function push(ha: FakeHomeAssistant, count: number, entityPrefix: string, rate: number): Promise<void> {
  const started = performance.now();
  for (let sent = 0; sent < count;) {
    while (ha.bufferedAmount > HIGH_WATER_BYTES) await sleep(1);
    let n = Math.min(PUSH_CHUNK, count - sent);
    if (rate > 0) {
      const due = Math.floor(((performance.now() - started) * rate) / 1000) + 1 - sent;
      if (due <= 0) {
        await sleep(Math.max(1, Math.ceil((1000 * (sent + 1)) / rate - (performance.now() - started))));
        continue;
      }
      n = Math.min(n, due);
    }
    ha.pushStateChanges(n, { entityPrefix });
    sent += n;
    // The fake coalesces in the next turn of the event loop: let it write before measuring again.
    await nextTurn();
  }
}

async function checkStored(client: Client, connectionId: string, prefix: string, base: number, events: number) {
  const { rows } = await client.query<{ rows: number; contexts: number; states: number }>(
    `select count(*)::int rows, count(distinct context_id)::int contexts,
            count(distinct new_state) filter (where new_state::bigint between $3 and $4)::int states
       from ha_events where connection_id = $1 and starts_with(entity_id, $2)`,
    [connectionId, prefix, base, base + events - 1],
  );
  const row = rows[0] ?? { rows: 0, contexts: 0, states: 0 };
  return {
    rows: row.rows,
    distinctContexts: row.contexts,
    distinctStates: row.states,
    duplicates: row.rows - row.contexts,
    misses: events - row.states,
  } satisfies StoredCheck;
}

interface PhaseInput {
  label: string;
  subscribers: number;
  events: number;
  /** Events per second, 0 for as fast as the API takes them. */
  rate: number;
  /** The fake's state counter before this phase (states are `base` … `base + events - 1`). */
  base: number;
  prefix: string;
  /** Watch the embedding worker after the rows are there. */
  watchEmbeddings: boolean;
}

interface PhaseContext {
  ha: FakeHomeAssistant;
  db: Client;
  seed: Seed;
  options: ServerOptions;
  nodeArgs: string[];
  settings: HaIngestSettings;
  /** Created by the first phase's instance. */
  connectionId: string | undefined;
}

const NO_DELIVERY: SubscribersResult = {
  subscribers: 0,
  expectedPerSubscriber: 0,
  deliveries: 0,
  duplicates: 0,
  misses: 0,
  strays: 0,
  errors: 0,
  p50Ms: Number.NaN,
  p99Ms: Number.NaN,
  maxMs: Number.NaN,
  firstAt: 0,
  lastAt: 0,
};

async function runPhase(input: PhaseInput, ctx: PhaseContext): Promise<IngestPhase> {
  const { ha, db, settings } = ctx;
  const since = new Date();
  const { api, errors } = await startPhaseApi(`ha-api-${input.subscribers}`, settings, ctx.options, ctx.nodeArgs);
  try {
    ctx.connectionId ??= await createConnection(api, ctx.seed.token, ha.url);
    const connectionId = ctx.connectionId;
    await waitConnected(db, ha, api, connectionId, since);
    const subscribers =
      input.subscribers > 0
        ? await startSubscribers(
            api,
            ctx.seed.token,
            connectionId,
            input.subscribers,
            input.events,
            input.base,
            ctx.options,
          )
        : undefined;
    const idleFrom = await serverCounters(api);
    const idleStart = Date.now();
    await sleep(1000);
    const idleTo = await serverCounters(api);
    const idleStatementsPerSecond = ((idleTo.statements - idleFrom.statements) * 1000) / (Date.now() - idleStart);

    const before = await serverCounters(api);
    const rowsBefore = await countRows(db, connectionId);
    const cpuBefore = cpuSeconds(api.child.pid);
    const peakIsPerPhase = resetPeakRss(api.child.pid);
    log(
      `${HA_INGEST_BENCH}: ${input.label}: pushing ${input.events} events ` +
        `${input.rate > 0 ? `at ${input.rate}/s` : 'as fast as they are taken'} with ${input.subscribers} subscriber(s)`,
    );

    const started = Date.now();
    let pushedAt: number | undefined;
    const pushing = push(ha, input.events, input.prefix, input.rate).then(() => {
      pushedAt = Date.now();
    });
    const deadline = started + settings.phaseTimeoutSeconds * 1000;
    let stored = 0;
    let lastProgress = started;
    let lastGrowth = started;
    let storedAt: number | undefined;
    let crash: string | undefined;
    let cpuAfter = cpuBefore;
    let peak = Number.NaN;
    for (;;) {
      if (!api.child.running) {
        crash = crashLine(api.child);
        log(`${HA_INGEST_BENCH}: ${input.label}: the API crashed: ${crash}`);
        break;
      }
      const n = (await countRows(db, connectionId)) - rowsBefore;
      const now = Date.now();
      if (n > stored) lastGrowth = now;
      stored = n;
      if (stored >= input.events) {
        storedAt = now;
        break;
      }
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        log(`${HA_INGEST_BENCH}: ${input.label}: ${stored} of ${input.events} stored`);
        lastProgress = now;
      }
      if (now > deadline || now - lastGrowth > STALL_MS) {
        log(`${HA_INGEST_BENCH}: ${input.label}: gave up with ${stored} of ${input.events} stored`);
        break;
      }
      await sleep(POLL_MS);
    }
    await pushing;
    const backlog = await unembedded(db, connectionId);

    // Deliveries may trail the rows: the subscriber child ends once it has every event.
    let delivery = NO_DELIVERY;
    if (subscribers) {
      const wait = crash ? 2_000 : Math.max(5_000, deadline - Date.now());
      try {
        delivery = await withTimeout(subscribers.result, wait, 'deliveries');
      } catch (error) {
        if (!crash) log(`${HA_INGEST_BENCH}: ${input.label}: ${errorText(error)}; stopping the subscribers`);
        await subscribers.child.stop();
        delivery = await withTimeout(subscribers.result, 10_000, 'the subscribers result').catch((failure: unknown) => {
          log(`${HA_INGEST_BENCH}: ${input.label}: no result from the subscribers: ${errorText(failure)}`);
          const misses = input.subscribers * input.events;
          return { ...NO_DELIVERY, subscribers: input.subscribers, misses, errors: 1 };
        });
      }
      await subscribers.child.stop();
    }
    // Read once the deliveries are done: a saturated instance answers GET /metrics too late.
    let statements = Number.NaN;
    if (api.child.running) {
      cpuAfter = cpuSeconds(api.child.pid);
      peak = peakRssMb(api.child.pid);
      try {
        const after = await serverCounters(api);
        statements = after.statements - before.statements;
      } catch (error) {
        log(`${HA_INGEST_BENCH}: ${input.label}: no counters: ${errorText(error)}`);
      }
    } else {
      crash ??= crashLine(api.child);
    }
    const end = storedAt ?? Date.now();
    const phase: IngestPhase = {
      label: input.label,
      subscribers: input.subscribers,
      events: input.events,
      rate: input.rate,
      crash,
      pushSeconds: ((pushedAt ?? Date.now()) - started) / 1000,
      storedSeconds: (end - started) / 1000,
      complete: storedAt !== undefined,
      stored: await checkStored(db, connectionId, input.prefix, input.base, input.events),
      delivery,
      statements: crash ? Number.NaN : statements,
      idleStatementsPerSecond,
      apiCpuSeconds: crash ? Number.NaN : cpuAfter - cpuBefore,
      peakRssMb: peak,
      peakIsPerPhase,
      embeddingBacklog: backlog,
      embedding: undefined,
      loggedErrors: errors.length,
    };
    if (input.watchEmbeddings && !crash && storedAt !== undefined && settings.embedWatchSeconds > 0) {
      phase.embedding = await watchEmbeddings(db, connectionId, settings.embedWatchSeconds);
    }
    for (const line of errors.slice(0, 3))
      log(`${HA_INGEST_BENCH}: ${input.label}: the API logged: ${line.slice(0, 500)}`);
    return phase;
  } finally {
    await api.child.stop();
    if (ctx.connectionId) {
      // After a crash nobody released the lease: release it, as a restarted service would after its expiry.
      await db.query(`update ha_connections set holder = null, held_until = null where id = $1`, [ctx.connectionId]);
      // Checked: gone, so the next instance starts as this one did (an empty log, nothing to embed).
      await db.query('delete from ha_events where connection_id = $1', [ctx.connectionId]);
    }
    // The fake notices the dropped socket.
    await ha.waitFor(() => ha.connectionCount === 0, 10_000).catch(() => undefined);
  }
}

export interface EmbeddingWatch {
  /** Rows embedded by the API's worker per second while watched. */
  rowsPerSecond: number;
  /** Rows still without an embedding at the end. */
  left: number;
  seconds: number;
}

/** Watches the API's embedding worker for up to `seconds` (less when it catches up). */
async function watchEmbeddings(db: Client, connectionId: string, seconds: number): Promise<EmbeddingWatch> {
  const started = Date.now();
  const first = await unembedded(db, connectionId);
  let left = first;
  while (left > 0 && Date.now() - started < seconds * 1000) {
    await sleep(250);
    left = await unembedded(db, connectionId);
  }
  const elapsed = (Date.now() - started) / 1000;
  return { rowsPerSecond: (first - left) / elapsed, left, seconds: elapsed };
}

// ---------------------------------------------------------------------------------------------
// The floor: the same rows through pg, one plain multi-row INSERT per batch.

const FLOOR_COLUMNS = [
  'id',
  'workspace_id',
  'connection_id',
  'event_type',
  'entity_id',
  'old_state',
  'new_state',
  'attributes',
  'context_id',
  'timestamp',
];

/** Times `statements` one after the other into a fresh copy of ha_events named `bench_ha_events_floor`. */
async function timeInserts(db: Client, events: number, statements: { text: string; values: unknown[] }[]) {
  await db.query('drop table if exists bench_ha_events_floor');
  await db.query('create table bench_ha_events_floor (like ha_events including all)');
  try {
    const started = performance.now();
    for (const statement of statements) await db.query(statement.text, statement.values);
    const seconds = (performance.now() - started) / 1000;
    const { rows: counted } = await db.query<{ n: number }>('select count(*)::int n from bench_ha_events_floor');
    if (counted[0]?.n !== events) throw new Error(`the floor stored ${counted[0]?.n} rows instead of ${events}`);
    return seconds;
  } finally {
    await db.query('drop table if exists bench_ha_events_floor');
  }
}

/**
 * The same rows as a phase stores (a state_changed of one of 250 sensors, `{sent_at}` attributes,
 * a unique context id), first as plain multi-row INSERTs, then as the API's own statement
 * (`unnest` of column arrays, `on conflict do nothing returning id, created_at`, ha-ingest.ts).
 */
async function measureFloor(
  db: Client,
  workspaceId: string,
  connectionId: string,
  events: number,
  batchSize: number,
): Promise<FloorResult> {
  const sentAt = Date.now();
  const rows: (string | null)[][] = [];
  for (let i = 0; i < events; i++) {
    rows.push([
      uuidv7(),
      workspaceId,
      connectionId,
      'state_changed',
      `sensor.bench_floor_${i % FAKE_ENTITIES}`,
      i >= FAKE_ENTITIES ? String(i - FAKE_ENTITIES) : null,
      String(i),
      JSON.stringify({ sent_at: sentAt + i }),
      `01BENCHFLOOR${i.toString(32).toUpperCase().padStart(14, '0')}`,
      new Date(sentAt + i).toISOString(),
    ]);
  }
  const batches: (string | null)[][][] = [];
  for (let start = 0; start < rows.length; start += batchSize) batches.push(rows.slice(start, start + batchSize));
  const columns = FLOOR_COLUMNS.join(', ');
  const plain = batches.map((batch) => ({
    text:
      `insert into bench_ha_events_floor (${columns}) values ` +
      batch
        .map((_, r) => `(${FLOOR_COLUMNS.map((_column, c) => `$${r * FLOOR_COLUMNS.length + c + 1}`).join(', ')})`)
        .join(', '),
    values: batch.flat(),
  }));
  const types = ['uuid', 'uuid', 'uuid', 'text', 'text', 'text', 'text', 'jsonb', 'text', 'timestamptz'];
  const unnest = batches.map((batch) => ({
    text:
      `insert into bench_ha_events_floor (${columns}) select * from unnest(` +
      types.map((type, c) => `$${c + 1}::${type}[]`).join(', ') +
      `) on conflict do nothing returning id, created_at`,
    values: FLOOR_COLUMNS.map((_, c) => batch.map((row) => row[c] ?? null)),
  }));
  const seconds = await timeInserts(db, events, plain);
  const apiStatementSeconds = await timeInserts(db, events, unnest);
  return {
    rows: events,
    batchSize,
    seconds,
    rowsPerSecond: events / seconds,
    apiStatementRowsPerSecond: events / apiStatementSeconds,
  };
}

// ---------------------------------------------------------------------------------------------

export async function runHaIngestBench(
  seed: Seed,
  options: ServerOptions,
  nodeArgs: string[],
  settings: HaIngestSettings,
): Promise<HaIngestResult> {
  const ha = await FakeHomeAssistant.start({ token: HA_TOKEN });
  onCleanup('stop the stand-in Home Assistant', () => ha.close());
  try {
    return await withClient(options.databaseUrl, async (db) => {
      const ctx: PhaseContext = { ha, db, seed, options, nodeArgs, settings, connectionId: undefined };
      const { events, rate, pacedSeconds, subscribers, fanoutEvents, fanoutRate } = settings;
      const inputs: Omit<PhaseInput, 'base'>[] = [
        { label: 'ha-ingest x0', subscribers: 0, events, rate: 0, prefix: 'sensor.bench_a_', watchEmbeddings: true },
        { label: 'ha-ingest x1', subscribers: 1, events, rate: 0, prefix: 'sensor.bench_b_', watchEmbeddings: false },
      ];
      if (rate > 0) {
        inputs.push({
          label: `ha-ingest x1 @${rate}/s`,
          subscribers: 1,
          events: rate * pacedSeconds,
          rate,
          prefix: 'sensor.bench_c_',
          watchEmbeddings: false,
        });
      }
      if (subscribers > 0) {
        inputs.push({
          label: `ha-ingest x${subscribers}`,
          subscribers,
          events: fanoutEvents,
          rate: 0,
          prefix: 'sensor.bench_d_',
          watchEmbeddings: false,
        });
        if (fanoutRate > 0) {
          inputs.push({
            label: `ha-ingest x${subscribers} @${fanoutRate}/s`,
            subscribers,
            events: fanoutRate * pacedSeconds,
            rate: fanoutRate,
            prefix: 'sensor.bench_e_',
            watchEmbeddings: false,
          });
        }
      }
      const phases: IngestPhase[] = [];
      let base = 0;
      for (const input of inputs) {
        phases.push(await runPhase({ ...input, base }, ctx));
        base += input.events;
      }
      log(`${HA_INGEST_BENCH}: floor: ${settings.events} rows in INSERTs of ${settings.batchSize}`);
      const floor = await measureFloor(
        db,
        seed.workspaceId,
        ctx.connectionId ?? '',
        settings.events,
        settings.batchSize,
      );
      return { settings, phases, floor };
    });
  } catch (error) {
    throw new Error(`${HA_INGEST_BENCH}: ${errorText(error)}`, { cause: error });
  } finally {
    await ha.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

/** Whether the API lived through every phase and stored, and delivered, every event exactly once. */
export function haIngestExactlyOnce(result: HaIngestResult): boolean {
  return result.phases.every(
    (p) =>
      p.crash === undefined &&
      p.stored.duplicates === 0 &&
      p.stored.misses === 0 &&
      p.delivery.duplicates === 0 &&
      p.delivery.misses === 0 &&
      p.delivery.errors === 0,
  );
}

const HEADER = [
  'scenario',
  'subscribers',
  'events',
  'pushed ev/s',
  'stored ev/s',
  'floor rows/s',
  'ratio',
  'deliveries/s',
  'latency p50 ms',
  'p99 ms',
  'SQL/1000 ev',
  'peak RSS MB',
  'stored dup/miss',
  'delivered dup/miss',
];

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function phaseRow(p: IngestPhase, floor: FloorResult): string[] {
  const rate = p.stored.distinctStates / p.storedSeconds;
  const measured = p.complete && !p.crash;
  // Only a burst of as many rows as the floor's compares with it.
  const comparable = p.rate === 0 && p.events === floor.rows;
  return [
    p.label,
    String(p.subscribers),
    String(p.events),
    p.rate > 0 ? String(p.rate) : 'max',
    p.crash ? 'CRASHED' : measured ? fixed(rate) : 'INCOMPLETE',
    comparable ? fixed(floor.rowsPerSecond) : '-',
    measured && comparable ? fixed(rate / floor.rowsPerSecond, 2) : '-',
    p.subscribers > 0 && !p.crash ? fixed(deliveriesPerSecond(p.delivery)) : '-',
    p.subscribers > 0 && !p.crash ? fixed(p.delivery.p50Ms) : '-',
    p.subscribers > 0 && !p.crash ? fixed(p.delivery.p99Ms) : '-',
    fixed((p.statements * 1000) / p.events, 1),
    fixed(p.peakRssMb),
    `${p.stored.duplicates}/${p.stored.misses}`,
    p.subscribers > 0 ? `${p.delivery.duplicates}/${p.delivery.misses}` : '-',
  ];
}

/** Deliveries over all subscribers per second, from the first to the last. */
function deliveriesPerSecond(d: SubscribersResult): number {
  const span = (d.lastAt - d.firstAt) / 1000;
  return span > 0 ? d.deliveries / span : Number.NaN;
}

function phaseNote(p: IngestPhase): string {
  const d = p.delivery;
  const pace = p.rate > 0 ? `pushed at ${p.rate}/s` : 'pushed as fast as taken';
  const lines = [
    `  ${p.label}: ${pace}; ${p.stored.distinctStates}/${p.events} stored after ${p.storedSeconds.toFixed(2)} s ` +
      `(push done after ${p.pushSeconds.toFixed(2)} s)` +
      (p.subscribers > 0
        ? `; ${d.deliveries} deliveries to ${p.subscribers} subscriber(s), ` +
          `latency max ${fixed(d.maxMs)} ms` +
          `${d.strays ? `, ${d.strays} stray` : ''}${d.errors ? `, ${d.errors} subscription ERRORS` : ''}.`
        : '.'),
  ];
  if (p.crash) {
    lines.push(`       the API CRASHED: ${p.crash}`);
  } else {
    lines.push(
      `       API: ${fixed(p.apiCpuSeconds, 1)} CPU s (${fixed((p.apiCpuSeconds * 1000) / p.events, 3)} ms per event, ` +
        `deliveries included${p.delivery.deliveries > 0 ? `: ${fixed((p.apiCpuSeconds * 1e6) / p.delivery.deliveries)} µs per delivery` : ''}); ` +
        `${fixed(p.statements)} statements (idle: ${p.idleStatementsPerSecond.toFixed(1)}/s); ` +
        `${p.embeddingBacklog} rows not embedded yet when all were stored` +
        (p.embedding
          ? `, then the embedding worker did ${fixed(p.embedding.rowsPerSecond)} rows/s for ` +
            `${p.embedding.seconds.toFixed(0)} s (${p.embedding.left} left)`
          : '') +
        `; ${p.loggedErrors} error line(s) logged.`,
    );
  }
  return lines.join('\n');
}

export function formatHaIngestReport(result: HaIngestResult): string {
  const { settings: s, floor } = result;
  const rows = result.phases.map((p) => phaseRow(p, floor));
  rows.push([
    'floor (pg INSERT)',
    '-',
    String(floor.rows),
    'max',
    fixed(floor.rowsPerSecond),
    fixed(floor.rowsPerSecond),
    '1.00',
    '-',
    '-',
    '-',
    fixed(1000 / floor.batchSize, 1),
    '-',
    '-',
    '-',
  ]);
  const exactlyOnce = haIngestExactlyOnce(result);
  const perPhase = result.phases.every((p) => p.peakIsPerPhase) ? 'during the phase' : 'since the instance started';
  return [
    formatGrid(HEADER, rows, new Set([0])),
    '',
    `${HA_INGEST_BENCH}: a fresh API instance per phase (HA_ENGINE=true, HA_BATCH_SIZE=${s.batchSize}, ` +
      `HA_FLUSH_MS=${s.flushMs}, HA_SUPERVISE_MS=${s.superviseMs}) streaming from the stand-in Home Assistant in the`,
    `       bench process (${PUSH_CHUNK} state_changed events per frame, waiting while > ${HIGH_WATER_BYTES / 1024} KiB ` +
      `is unsent). stored ev/s = events / (first send -> poll (every ${POLL_MS} ms) finding every row).`,
    `       latency = arrival at the subscriber - sent_at (stamped when the fake builds the event), over every ` +
      `delivery; deliveries/s = over all subscribers, first to last arrival; subscribers: graphql-ws createClient, ` +
      `one socket each, in a child process.`,
    `       SQL/1000 ev = homeos_db_queries_total delta from first send until every delivery (supervision rounds, ` +
      `HA_STATE trigger lookups and the embedding worker included); peak RSS = VmHWM of the API ${perPhase}.`,
    `       floor: ${floor.rows} rows as ${Math.ceil(floor.rows / floor.batchSize)} plain INSERT … VALUES of ` +
      `${floor.batchSize} rows, one after the other through pg, in ${floor.seconds.toFixed(2)} s, into a copy of ` +
      `ha_events (like … including all), no API running; ratio = stored ev/s / floor rows/s. The API's own statement ` +
      `(unnest … on conflict do nothing returning) sent the same way: ${fixed(floor.apiStatementRowsPerSecond)} rows/s.`,
    ...result.phases.map(phaseNote),
    `       dup/miss: stored = rows beyond one per context id / events without a row; delivered = summed over ` +
      `subscribers -> exactly once: ${exactlyOnce ? 'ok' : 'FAILED'}.`,
  ].join('\n');
}
