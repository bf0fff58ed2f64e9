import type { Client } from 'pg';
import { withClient } from './database';
import { cpuSeconds, peakRssMb } from './processes';
import type { Seed } from './seed';
import { serverCounters, startApi, type Server, type ServerOptions } from './servers';
import { analyseRuns, type TaskBenchResult, type TaskBenchSettings } from './tasks-report';
import { errorText, intEnv, log, sleep, withTimeout } from './util';

/**
 * `tasks-10k`: many daily cron tasks, in several time zones, whose cron expressions all name the
 * same minute, inserted in bulk and run in real time by the real task runtime of one or more API
 * instances (`TASK_ENGINE=true`) polling the same database. Then the executions are checked: each
 * task ran exactly once for that minute, how late each run started, and each task's next run is
 * the same minute a day later. Env: BENCH_TASKS (10000), BENCH_TASK_LEAD_SECONDS (20: at least
 * this long from the instances being ready to the due minute), BENCH_TASK_DRAIN_SECONDS (120: how
 * long after the due time to wait for the runs to end), BENCH_TASK_INSTANCES (1), TASK_POLL_MS
 * (500), TASK_BATCH_SIZE (1000), TASK_CONCURRENCY (1000: the server's default of 50 runs at once
 * suits AI calls that take seconds; a burst of instant NOTIFY runs is what this measures).
 */

export const TASK_BENCH = 'tasks-10k';

const PROGRESS_EVERY_MS = 10_000;

/** Zones with whole, half and odd offsets; each task's cron names the due minute in its zone. */
const TIME_ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Adelaide',
  'America/St_Johns',
  'Asia/Kathmandu',
];

export function taskBenchSettings(): TaskBenchSettings {
  return {
    count: intEnv('BENCH_TASKS', 10_000, 1, 1_000_000),
    leadSeconds: intEnv('BENCH_TASK_LEAD_SECONDS', 20, 5, 600),
    drainSeconds: intEnv('BENCH_TASK_DRAIN_SECONDS', 120, 5, 3600),
    instances: intEnv('BENCH_TASK_INSTANCES', 1, 1, 8),
    pollMs: intEnv('TASK_POLL_MS', 500, 50, 60_000),
    batchSize: intEnv('TASK_BATCH_SIZE', 1000, 1, 10_000),
    concurrency: intEnv('TASK_CONCURRENCY', 1000, 1, 10_000),
  };
}

interface Instance {
  server: Server;
  /** Error-level lines the instance logged (pino level >= 50), e.g. "task tick failed". */
  errors: string[];
}

async function startInstances(settings: TaskBenchSettings, options: ServerOptions, nodeArgs: string[]) {
  const instances: Instance[] = [];
  for (let n = 1; n <= settings.instances; n++) {
    const server = await startApi({
      ...options,
      nodeArgs,
      name: `task-api-${n}`,
      env: {
        TRIGGER_ENGINE: 'false',
        HA_ENGINE: 'false',
        TASK_ENGINE: 'true',
        TASK_POLL_MS: String(settings.pollMs),
        TASK_BATCH_SIZE: String(settings.batchSize),
        TASK_CONCURRENCY: String(settings.concurrency),
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

/** `m h * * *`: the due minute as the wall clock of `timeZone` shows it. */
function dailyCron(due: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
    .formatToParts(due)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return `${Number(parts.minute)} ${Number(parts.hour)} * * *`;
}

/**
 * `count` enabled daily NOTIFY tasks (no notification of their own outcome), owned round-robin by
 * the workspace's members, spread over the time zones, all due at `due`, in one statement; then
 * ANALYZE, as a database that has been running would have statistics.
 */
async function insertTasks(client: Client, seed: Seed, settings: TaskBenchSettings, due: Date): Promise<void> {
  const crons = TIME_ZONES.map((zone) => dailyCron(due, zone));
  await client.query(
    `insert into tasks (id, workspace_id, user_id, name, description, cron, time_zone, action_type, action, enabled,
                        priority, notify_on, timeout_seconds, max_attempts, retry_backoff_seconds, missed_policy,
                        last_run_at, next_run_at, created_at, updated_at)
     select gen_random_uuid(), $1, users.ids[1 + n % array_length(users.ids, 1)], 'Bench task ' || n, null,
            ($5::text[])[1 + n % $6], ($4::text[])[1 + n % $6], 'NOTIFY',
            jsonb_build_object('type', 'NOTIFY', 'title', null, 'message', 'Bench task ' || n || ' ran'),
            true, 'DEFAULT', 'NEVER', 60, 1, 60, 'FIRE_ONCE_LATE', null, $2, now(), now()
       from generate_series(0, $3::int - 1) n,
            (select array_agg(id order by created_at, id) ids from users where workspace_id = $1) users`,
    [seed.workspaceId, due.toISOString(), settings.count, TIME_ZONES, crons, TIME_ZONES.length],
  );
  await client.query('analyze tasks');
}

/** Polls the executions until every task's run ended or the drain time is up. */
async function waitForRuns(client: Client, instances: Instance[], settings: TaskBenchSettings, seed: Seed, due: Date) {
  const deadline = due.getTime() + settings.drainSeconds * 1000;
  let lastLog = 0;
  for (;;) {
    const dead = instances.find((i) => !i.server.child.running);
    if (dead) throw new Error(`${dead.server.child.options.name} exited. Its output:\n${dead.server.child.tail()}`);
    const { rows } = await client.query<{ ended: number }>(
      `select count(*)::int ended from task_executions e join tasks t on t.id = e.task_id
        where t.workspace_id = $1 and e.status not in ('PENDING', 'RUNNING')`,
      [seed.workspaceId],
    );
    const ended = rows[0]?.ended ?? 0;
    const now = Date.now();
    if (now - lastLog >= PROGRESS_EVERY_MS) {
      const when = now < due.getTime() ? `due in ${((due.getTime() - now) / 1000).toFixed(0)} s` : 'running';
      log(`${TASK_BENCH}: ${ended} of ${settings.count} runs ended (${when})`);
      lastLog = now;
    }
    // A little past the end: a duplicate run would have shown by then.
    if (ended >= settings.count && now >= due.getTime() + 2 * settings.pollMs) return;
    if (now >= deadline) {
      log(`${TASK_BENCH}: drain time of ${settings.drainSeconds} s is over with ${ended} ended`);
      return;
    }
    await sleep(500);
  }
}

export async function runTaskBench(
  seed: Seed,
  options: ServerOptions,
  nodeArgs: string[],
  settings: TaskBenchSettings,
): Promise<TaskBenchResult> {
  const instances = await startInstances(settings, options, nodeArgs);
  const earliest = Date.now() + settings.leadSeconds * 1000;
  const due = new Date(Math.ceil(earliest / 60_000) * 60_000);
  return withClient(options.databaseUrl, async (client) => {
    await client.query(`set statement_timeout = '120s'`);
    const inserting = Date.now();
    await withTimeout(insertTasks(client, seed, settings, due), 120_000, 'inserting the tasks');
    log(
      `${TASK_BENCH}: inserted ${settings.count} tasks in ${((Date.now() - inserting) / 1000).toFixed(1)} s, ` +
        `all due at ${due.toISOString()}`,
    );
    if (Date.now() > due.getTime() - 1000) {
      throw new Error('inserting the tasks outlasted the lead time: raise BENCH_TASK_LEAD_SECONDS');
    }
    const before = await Promise.all(instances.map((i) => serverCounters(i.server)));
    const cpuBefore = instances.map((i) => cpuSeconds(i.server.child.pid));
    await waitForRuns(client, instances, settings, seed, due);
    const after = await Promise.all(instances.map((i) => serverCounters(i.server)));
    const cpu = instances.map((i, n) => cpuSeconds(i.server.child.pid) - (cpuBefore[n] ?? 0));
    const peakRss = instances.map((i) => peakRssMb(i.server.child.pid));
    // Stopped before reading, so nothing runs while the executions are counted.
    for (const instance of instances) await instance.server.child.stop();
    const statements = after.reduce((sum, a, n) => sum + a.statements - (before[n]?.statements ?? 0), 0);
    const errors = instances.flatMap((i) => i.errors);
    for (const line of errors.slice(0, 3)) log(`${TASK_BENCH}: an instance logged: ${line.slice(0, 500)}`);
    const runs = await analyseRuns(client, seed.workspaceId, due);
    return { settings, due, runs, statements, cpuSeconds: cpu, peakRssMb: peakRss, loggedErrors: errors.length };
  }).catch((error: unknown) => {
    throw new Error(`${TASK_BENCH}: ${errorText(error)}`);
  });
}
