import type { Client } from 'pg';
import { withClient } from './database';
import { cpuSeconds, peakRssMb } from './processes';
import type { Seed } from './seed';
import { serverCounters, startApi, type Server, type ServerOptions } from './servers';
import { analyseFirings, type TriggerResult, type TriggerSettings } from './triggers-report';
import { errorText, intEnv, log, sleep, withTimeout } from './util';

/**
 * `triggers-100k`: many one-off TIME triggers, inserted in bulk and due over a window of a few
 * minutes, fired in real time by the real engine of one or more API instances
 * (`TRIGGER_ENGINE=true`) polling the same database. Then the executions are checked: each trigger
 * fired exactly once, and how late. Env: BENCH_TRIGGERS (100000), BENCH_TRIGGER_WINDOW_SECONDS
 * (120), BENCH_TRIGGER_LEAD_SECONDS (15: from the instances being ready to the first due time),
 * BENCH_TRIGGER_DRAIN_SECONDS (60: how long after the last due time to wait for stragglers),
 * BENCH_TRIGGER_INSTANCES (1), TRIGGER_POLL_MS (500), TRIGGER_BATCH_SIZE (500).
 */

export const TRIGGER_BENCH = 'triggers-100k';

/** Triggers per calendar item. */
const TRIGGERS_PER_ITEM = 10;
const PROGRESS_EVERY_MS = 10_000;

export function triggerSettings(): TriggerSettings {
  return {
    count: intEnv('BENCH_TRIGGERS', 100_000, 1, 2_000_000),
    windowSeconds: intEnv('BENCH_TRIGGER_WINDOW_SECONDS', 120, 1, 3600),
    leadSeconds: intEnv('BENCH_TRIGGER_LEAD_SECONDS', 15, 3, 600),
    drainSeconds: intEnv('BENCH_TRIGGER_DRAIN_SECONDS', 60, 1, 3600),
    instances: intEnv('BENCH_TRIGGER_INSTANCES', 1, 1, 8),
    pollMs: intEnv('TRIGGER_POLL_MS', 500, 50, 60_000),
    batchSize: intEnv('TRIGGER_BATCH_SIZE', 500, 1, 10_000),
  };
}

interface Instance {
  server: Server;
  /** Error-level lines the instance logged (pino level >= 50), e.g. "time trigger tick failed". */
  errors: string[];
}

async function startInstances(settings: TriggerSettings, options: ServerOptions, nodeArgs: string[]) {
  const instances: Instance[] = [];
  for (let n = 1; n <= settings.instances; n++) {
    const server = await startApi({
      ...options,
      nodeArgs,
      name: `trigger-api-${n}`,
      env: {
        TRIGGER_ENGINE: 'true',
        TRIGGER_POLL_MS: String(settings.pollMs),
        TRIGGER_BATCH_SIZE: String(settings.batchSize),
      },
    });
    const instance: Instance = { server, errors: [] };
    const watch = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (/"level":(50|60)\b/.test(line)) instance.errors.push(line);
      }
    };
    server.child.process.stdout?.on('data', watch);
    server.child.process.stderr?.on('data', watch);
    instances.push(instance);
  }
  return instances;
}

/**
 * Calendar items (one per `TRIGGERS_PER_ITEM` triggers, owned round-robin by the workspace's
 * members) and `count` active TIME triggers `{"at": …}` due evenly over [start, start + window),
 * in one transaction; then ANALYZE, as a database that has been running would have statistics.
 */
async function insertTriggers(client: Client, seed: Seed, settings: TriggerSettings, start: Date): Promise<void> {
  const items = Math.ceil(settings.count / TRIGGERS_PER_ITEM);
  const windowMs = settings.windowSeconds * 1000;
  await client.query('begin');
  try {
    await client.query(
      `create temp table bench_items on commit drop as
       select n, gen_random_uuid() id, users.ids[1 + n % array_length(users.ids, 1)] user_id,
              date_trunc('milliseconds', $3::timestamptz + (n::float8 * $4 / $2) * interval '1 millisecond') start_time
         from generate_series(0, $2::int - 1) n,
              (select array_agg(id order by created_at, id) ids from users where workspace_id = $1) users`,
      [seed.workspaceId, items, start.toISOString(), windowMs],
    );
    await client.query(
      `insert into calendar_items (id, workspace_id, user_id, type, title, start_time, time_zone, status,
                                   progress_percent, created_at, updated_at)
       select id, $1, user_id, 'REMINDER', 'Timed reminder ' || n, start_time, 'UTC', 'PENDING', 0, now(), now()
         from bench_items`,
      [seed.workspaceId],
    );
    // Trigger g belongs to item g % items, so each item's triggers are spread over the window.
    await client.query(
      `insert into triggers (id, workspace_id, user_id, calendar_item_id, trigger_type, trigger_config, action,
                             is_active, last_fired_at, next_fire_at, missed_policy, nfc_tag_id, state,
                             created_at, updated_at)
       select gen_random_uuid(), $1, i.user_id, i.id, 'TIME',
              jsonb_build_object('at', to_char(a.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
              '{"type": "NOTIFY", "title": null, "message": null}'::jsonb,
              true, null, a.at, 'FIRE_ONCE_LATE', null, '{}'::jsonb, now(), now()
         from generate_series(0, $2::int - 1) g
         join bench_items i on i.n = g % $3,
              lateral (select date_trunc('milliseconds',
                         $4::timestamptz + (g::float8 * $5 / $2) * interval '1 millisecond') at) a`,
      [seed.workspaceId, settings.count, items, start.toISOString(), windowMs],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  await client.query('analyze calendar_items');
  await client.query('analyze triggers');
}

/** Polls the executions until every trigger fired (and the window is over) or the drain time is up. */
async function waitForFirings(client: Client, instances: Instance[], settings: TriggerSettings, start: Date) {
  const end = start.getTime() + settings.windowSeconds * 1000;
  const deadline = end + settings.drainSeconds * 1000;
  let lastLog = 0;
  for (;;) {
    const dead = instances.find((i) => !i.server.child.running);
    if (dead) throw new Error(`${dead.server.child.options.name} exited. Its output:\n${dead.server.child.tail()}`);
    const { rows } = await client.query<{ fired: number }>(
      `select count(distinct trigger_id)::int fired from trigger_executions where scheduled_for is not null`,
    );
    const fired = rows[0]?.fired ?? 0;
    const now = Date.now();
    if (now - lastLog >= PROGRESS_EVERY_MS) {
      const when =
        now < start.getTime()
          ? `the first is due in ${((start.getTime() - now) / 1000).toFixed(0)} s`
          : now < end
            ? `${((end - now) / 1000).toFixed(0)} s of the window left`
            : 'draining';
      log(`${TRIGGER_BENCH}: ${fired} of ${settings.count} triggers fired (${when})`);
      lastLog = now;
    }
    // Past the window, a little longer: any duplicate firing would have shown by then.
    if (fired >= settings.count && now >= end + 2 * settings.pollMs) return;
    if (now >= deadline) {
      log(`${TRIGGER_BENCH}: drain time of ${settings.drainSeconds} s is over with ${fired} fired`);
      return;
    }
    await sleep(1000);
  }
}

export async function runTriggerBench(
  seed: Seed,
  options: ServerOptions,
  nodeArgs: string[],
  settings: TriggerSettings,
): Promise<TriggerResult> {
  const instances = await startInstances(settings, options, nodeArgs);
  const start = new Date(Date.now() + settings.leadSeconds * 1000);
  return withClient(options.databaseUrl, async (client) => {
    await client.query(`set statement_timeout = '120s'`);
    const inserting = Date.now();
    await withTimeout(insertTriggers(client, seed, settings, start), 180_000, 'inserting the triggers');
    log(
      `${TRIGGER_BENCH}: inserted ${settings.count} TIME triggers in ${((Date.now() - inserting) / 1000).toFixed(1)} s, ` +
        `due from ${start.toISOString()} over ${settings.windowSeconds} s`,
    );
    if (Date.now() > start.getTime() - 1000) {
      throw new Error(`inserting the triggers outlasted the lead time: raise BENCH_TRIGGER_LEAD_SECONDS`);
    }
    const before = await Promise.all(instances.map((i) => serverCounters(i.server)));
    const cpuBefore = instances.map((i) => cpuSeconds(i.server.child.pid));
    await waitForFirings(client, instances, settings, start);
    const after = await Promise.all(instances.map((i) => serverCounters(i.server)));
    const cpu = instances.map((i, n) => cpuSeconds(i.server.child.pid) - (cpuBefore[n] ?? 0));
    const peakRss = instances.map((i) => peakRssMb(i.server.child.pid));
    // Stopped before reading, so nothing fires while the executions are counted.
    for (const instance of instances) await instance.server.child.stop();
    const statements = after.reduce((sum, a, n) => sum + a.statements - (before[n]?.statements ?? 0), 0);
    const errors = instances.flatMap((i) => i.errors);
    for (const line of errors.slice(0, 3)) log(`${TRIGGER_BENCH}: an instance logged: ${line.slice(0, 500)}`);
    const firings = await analyseFirings(client, seed.workspaceId);
    return { settings, firings, statements, cpuSeconds: cpu, peakRssMb: peakRss, loggedErrors: errors.length };
  }).catch((error: unknown) => {
    throw new Error(`${TRIGGER_BENCH}: ${errorText(error)}`);
  });
}
