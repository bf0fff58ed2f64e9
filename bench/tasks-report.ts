import type { Client } from 'pg';
import { formatGrid } from './table';

/** What `tasks-10k` measured, read back from `task_executions`, and its section of the output. */

/** The goal: 99 % of the runs due in the same minute started within this long of it. */
export const TASK_LATENESS_GOAL_MS = 10_000;

export interface TaskBenchSettings {
  count: number;
  leadSeconds: number;
  drainSeconds: number;
  instances: number;
  pollMs: number;
  batchSize: number;
  concurrency: number;
}

export interface RunStats {
  tasks: number;
  executions: number;
  /** Tasks without an execution for the due time. */
  misses: number;
  /** Executions beyond one per task (each task is due exactly once in the run). */
  duplicates: number;
  /** Executions whose `scheduled_for` is not the due time. */
  wrongSchedule: number;
  /** Tasks whose next run is not the same time a day later (their cron in their time zone). */
  wrongNext: number;
  /** Executions that did not end in SUCCESS (failed, timed out, skipped, or still going). */
  unsuccessful: number;
  /** Last `finished_at` minus the due time, in seconds. */
  spanSeconds: number;
  /** `started_at - scheduled_for`. */
  startP50Ms: number;
  startP99Ms: number;
  startMaxMs: number;
  /** `finished_at - scheduled_for`. */
  finishP50Ms: number;
  finishP99Ms: number;
  timeZones: number;
}

export interface TaskBenchResult {
  settings: TaskBenchSettings;
  due: Date;
  runs: RunStats;
  /** SQL statements the instances sent from before the due time until the last run ended. */
  statements: number;
  cpuSeconds: number[];
  peakRssMb: number[];
  loggedErrors: number;
}

/** Counts and percentiles of the bench tasks of the workspace and their executions. */
export async function analyseRuns(client: Client, workspaceId: string, due: Date): Promise<RunStats> {
  const { rows } = await client.query<Record<keyof RunStats, number | null>>(
    `with bt as (select id, next_run_at, time_zone from tasks where workspace_id = $1),
     ex as (
       select e.task_id, e.status, e.scheduled_for,
              extract(epoch from e.started_at - e.scheduled_for)::float8 * 1000 start_ms,
              extract(epoch from e.finished_at - e.scheduled_for)::float8 * 1000 finish_ms, e.finished_at
         from task_executions e join bt on bt.id = e.task_id)
     select (select count(*) from bt)::int tasks,
            (select count(*) from ex)::int executions,
            (select count(*) from bt where not exists (
               select 1 from ex where ex.task_id = bt.id and ex.scheduled_for = $2))::int misses,
            (select count(*) - count(distinct task_id) from ex)::int duplicates,
            (select count(*) from ex where scheduled_for is distinct from $2)::int "wrongSchedule",
            (select count(*) from bt where next_run_at is distinct from $2::timestamptz + interval '1 day')::int "wrongNext",
            (select count(*) from ex where status <> 'SUCCESS')::int unsuccessful,
            (select extract(epoch from max(finished_at) - $2) from ex)::float8 "spanSeconds",
            (select percentile_cont(0.5) within group (order by start_ms) from ex) "startP50Ms",
            (select percentile_cont(0.99) within group (order by start_ms) from ex) "startP99Ms",
            (select max(start_ms) from ex) "startMaxMs",
            (select percentile_cont(0.5) within group (order by finish_ms) from ex) "finishP50Ms",
            (select percentile_cont(0.99) within group (order by finish_ms) from ex) "finishP99Ms",
            (select count(distinct time_zone) from bt)::int "timeZones"`,
    [workspaceId, due.toISOString()],
  );
  const row = rows[0];
  if (!row) throw new Error('the analysis of the executions returned no row');
  const value = (key: keyof RunStats) => row[key] ?? Number.NaN;
  return {
    tasks: value('tasks'),
    executions: value('executions'),
    misses: value('misses'),
    duplicates: value('duplicates'),
    wrongSchedule: value('wrongSchedule'),
    wrongNext: value('wrongNext'),
    unsuccessful: value('unsuccessful'),
    spanSeconds: value('spanSeconds'),
    startP50Ms: value('startP50Ms'),
    startP99Ms: value('startP99Ms'),
    startMaxMs: value('startMaxMs'),
    finishP50Ms: value('finishP50Ms'),
    finishP99Ms: value('finishP99Ms'),
    timeZones: value('timeZones'),
  };
}

/** Whether every task ran exactly once, at its due time. */
export function ranExactlyOnce(result: TaskBenchResult): boolean {
  const r = result.runs;
  return r.duplicates === 0 && r.misses === 0 && r.wrongSchedule === 0;
}

const HEADER = ['scenario', 'tasks', 'runs/s', 'start lateness p50 ms', 'p99 ms', 'duplicates', 'misses', 'goal'];

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '?');

/** The table row of `tasks-10k` and the notes under it. */
export function formatTaskReport(name: string, result: TaskBenchResult): string {
  const { settings: s, runs: r } = result;
  const runsPerSecond = r.spanSeconds > 0 ? r.executions / r.spanSeconds : Number.NaN;
  const goal = `p99 < ${TASK_LATENESS_GOAL_MS} ms -> ${r.startP99Ms < TASK_LATENESS_GOAL_MS ? 'ok' : 'ABOVE'}`;
  const table = formatGrid(
    HEADER,
    [
      [
        name,
        String(r.tasks),
        Number.isFinite(runsPerSecond) ? runsPerSecond.toFixed(0) : '?',
        ms(r.startP50Ms),
        ms(r.startP99Ms),
        String(r.duplicates),
        String(r.misses),
        goal,
      ],
    ],
    new Set([0, 7]),
  );
  const perRun = (total: number) => (r.executions > 0 ? total / r.executions : Number.NaN);
  const cpu = result.cpuSeconds.reduce((a, b) => a + b, 0);
  return [
    table,
    '',
    `${name}: ${s.count} daily cron tasks (NOTIFY) in ${r.timeZones} time zones, all due at ${result.due.toISOString()}, ` +
      `${s.leadSeconds}+ s after the instance(s) were ready; ${s.instances} API instance(s) with TASK_ENGINE=true, ` +
      `TASK_POLL_MS=${s.pollMs}, TASK_BATCH_SIZE=${s.batchSize}, TASK_CONCURRENCY=${s.concurrency}; drain up to ${s.drainSeconds} s.`,
    `       runs/s = executions / (last finished_at - due time) = ${r.executions} / ${r.spanSeconds.toFixed(1)} s.`,
    `       start lateness = started_at - scheduled_for (PENDING -> RUNNING); max ${ms(r.startMaxMs)} ms; ` +
      `finished: p50 ${ms(r.finishP50Ms)} ms, p99 ${ms(r.finishP99Ms)} ms after the due time.`,
    `       duplicates = executions beyond one per task; misses = tasks without an execution for the due time; ` +
      `${r.wrongSchedule} with a wrong scheduled_for -> exactly once: ${ranExactlyOnce(result) ? 'ok' : 'FAILED'}.`,
    `       ${r.unsuccessful} run(s) not SUCCESS; ${r.wrongNext} task(s) whose next run is not 24 h later; ` +
      `${result.loggedErrors} error line(s) logged.`,
    `       per run: ${perRun(result.statements).toFixed(2)} SQL statements (idle polls included), ` +
      `${(perRun(cpu) * 1000).toFixed(2)} ms API CPU; CPU s per instance ` +
      `${result.cpuSeconds.map((c) => c.toFixed(1)).join(', ')}; peak RSS MB ` +
      `${result.peakRssMb.map((m) => m.toFixed(0)).join(', ')}.`,
  ].join('\n');
}
