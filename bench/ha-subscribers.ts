import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * A child process of `ha-ingest`: opens HA_SUB_COUNT graphql-ws clients (one socket each), each
 * subscribed to `haEvent` of one connection, and times every event from the `sent_at` attribute
 * the stand-in Home Assistant stamped on it to its arrival here. Prints `ready` once every client
 * is connected, then one `result {json}` line when every client has received HA_SUB_EXPECT
 * distinct events (states HA_SUB_BASE … HA_SUB_BASE + HA_SUB_EXPECT - 1), or on SIGTERM.
 * Env: HA_SUB_URL (ws://…/graphql), HA_SUB_TOKEN, HA_SUB_CONNECTION_ID, HA_SUB_COUNT, HA_SUB_EXPECT,
 * HA_SUB_BASE.
 */

export interface SubscribersResult {
  subscribers: number;
  expectedPerSubscriber: number;
  /** Deliveries over all subscribers, duplicates included. */
  deliveries: number;
  /** Deliveries of an event the subscriber had already received. */
  duplicates: number;
  /** Expected events a subscriber never received, summed over subscribers. */
  misses: number;
  /** Deliveries whose state is outside the expected range (not from this run's push). */
  strays: number;
  errors: number;
  /** Send (`sent_at`) to arrival, ms, over every first delivery. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Epoch ms of the first and the last delivery. */
  firstAt: number;
  lastAt: number;
}

const CONNECT_WAVE = 50;
const SUBSCRIPTION = `subscription BenchHaEvents($c: ID) {
  haEvent(connectionId: $c) { id entityId newState attributes timestamp }
}`;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function count(name: string): number {
  const value = Number(required(name));
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

function percentile(sorted: Uint32Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

/** An Error's message, a CloseEvent's code and reason, or the value as JSON. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code, reason } = error as { code: unknown; reason?: unknown };
    return `socket closed (${String(code)}${reason ? `: ${String(reason)}` : ''})`;
  }
  return JSON.stringify(error) ?? String(error);
}

interface Received {
  newState?: unknown;
  attributes?: { sent_at?: unknown } | null;
}

function main(): void {
  const url = required('HA_SUB_URL');
  const token = required('HA_SUB_TOKEN');
  const connectionId = required('HA_SUB_CONNECTION_ID');
  const subscribers = count('HA_SUB_COUNT');
  const expected = count('HA_SUB_EXPECT');
  const base = count('HA_SUB_BASE');

  const latencies = new Uint32Array(subscribers * expected);
  let recorded = 0;
  const seen = Array.from({ length: subscribers }, () => new Uint8Array(expected));
  const distinct = new Uint32Array(subscribers);
  let complete = 0;
  let deliveries = 0;
  let duplicates = 0;
  let strays = 0;
  let errors = 0;
  let firstAt = 0;
  let lastAt = 0;
  const clients: Client[] = [];
  let finished = false;

  const finish = () => {
    if (finished) return;
    finished = true;
    const sorted = latencies.subarray(0, recorded).sort();
    let misses = 0;
    for (const n of distinct) misses += expected - n;
    const result: SubscribersResult = {
      subscribers,
      expectedPerSubscriber: expected,
      deliveries,
      duplicates,
      misses,
      strays,
      errors,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted.length ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
      firstAt,
      lastAt,
    };
    process.stdout.write(`result ${JSON.stringify(result)}\n`, () => {
      clearInterval(keepAlive);
      for (const client of clients) void client.dispose();
      process.exit(0);
    });
  };
  process.on('SIGTERM', finish);
  process.on('SIGINT', finish);
  // Stays up when every socket is gone (the server died): the result is still wanted.
  const keepAlive = setInterval(() => undefined, 60_000);

  const onEvent = (subscriber: number, event: Received | undefined) => {
    const now = Date.now();
    deliveries++;
    if (firstAt === 0) firstAt = now;
    lastAt = now;
    const n = Number(event?.newState) - base;
    const sentAt = event?.attributes?.sent_at;
    const mine = seen[subscriber];
    if (!mine || !Number.isInteger(n) || n < 0 || n >= expected || typeof sentAt !== 'number') {
      strays++;
      return;
    }
    if (mine[n]) {
      duplicates++;
      return;
    }
    mine[n] = 1;
    latencies[recorded++] = Math.max(0, now - sentAt);
    distinct[subscriber] = (distinct[subscriber] ?? 0) + 1;
    if (distinct[subscriber] === expected && ++complete === subscribers) finish();
  };

  const connectOne = (subscriber: number) =>
    new Promise<void>((resolve, reject) => {
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      client.on('connected', () => resolve());
      client.on('closed', () => reject(new Error(`subscriber ${subscriber} closed before it was connected`)));
      client.subscribe<{ haEvent: Received }>(
        { query: SUBSCRIPTION, variables: { c: connectionId } },
        {
          next: (message) => {
            if (message.errors?.length) {
              if (errors++ < 3) process.stderr.write(`subscriber ${subscriber}: ${JSON.stringify(message.errors)}\n`);
              return;
            }
            onEvent(subscriber, message.data?.haEvent);
          },
          error: (error: unknown) => {
            if (errors++ < 3) process.stderr.write(`subscriber ${subscriber} failed: ${describe(error)}\n`);
          },
          complete: () => undefined,
        },
      );
    });

  void (async () => {
    for (let start = 0; start < subscribers; start += CONNECT_WAVE) {
      const wave: Promise<void>[] = [];
      for (let s = start; s < Math.min(subscribers, start + CONNECT_WAVE); s++) wave.push(connectOne(s));
      await Promise.all(wave);
    }
    process.stdout.write('ready\n');
    if (expected === 0) finish();
  })().catch((error: unknown) => {
    process.stderr.write(`subscribers failed to connect: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
}

main();
