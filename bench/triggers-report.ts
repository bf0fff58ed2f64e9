import type { Client } from 'pg';
import { formatGrid } from './table';

/** What `triggers-100k` measured, read back from `trigger_executions`, and its section of the output. */

/** The goal: 99 % of firings at most this late. */
export const LATENESS_GOAL_MS = 1000;

export interface TriggerSettings {
  count: number;
  windowSeconds: number;
  leadSeconds: number;
  drainSeconds: number;
  instances: number;
  pollMs: number;
  batchSize: number;
}

export interface FiringStats {
  triggers: number;
  executions: number;
  /** Triggers without an execution. */
  misses: number;
  /** Executions beyond one per trigger (each trigger is due exactly once). */
  duplicates: number;
  /** Executions whose `scheduled_for` is not the trigger's `at`. */
  wrongSchedule: number;
  failures: number;
  /** Executions marked late (`result.late`: later than TRIGGER_GRACE_SECONDS). */
  markedLate: number;
  /** Last `fired_at` minus first, in seconds. */
  spanSeconds: number;
  /** `late_ms` as the engine recorded it: the claiming tick's time minus the due time. */
  lateP50Ms: number;
  lateP99Ms: number;
  lateMaxMs: number;
  /** The execution row's `created_at` (set when it is built, after its action ran) minus the due time. */
  builtP50Ms: number;
  builtP99Ms: number;
  builtMaxMs: number;
  /** Distinct `fired_at` values: one per claiming tick (and instance). */
  ticks: number;
}

export interface TriggerResult {
  settings: TriggerSettings;
  firings: FiringStats;
  /** SQL statements the instances sent while the triggers were due (idle polls included). */
  statements: number;
  /** CPU seconds each instance used over the same time. */
  cpuSeconds: number[];
  peakRssMb: number[];
  /** Error-level lines the instances logged. */
  loggedErrors: number;
}

/** Counts and percentiles of the TIME triggers of the workspace and their executions. */
export async function analyseFirings(client: Client, workspaceId: string): Promise<FiringStats> {
  const { rows } = await client.query<Record<keyof FiringStats, number | null>>(
    `with bt as (
       select id, (trigger_config ->> 'at')::timestamptz due
         from triggers where workspace_id = $1 and trigger_type = 'TIME'),
     ex as (
       select e.trigger_id, e.scheduled_for, e.fired_at, e.status, e.result, e.late_ms::float8 late_ms,
              extract(epoch from e.created_at - e.scheduled_for)::float8 * 1000 built_ms, bt.due
         from trigger_executions e join bt on bt.id = e.trigger_id)
     select (select count(*) from bt)::int triggers,
            (select count(*) from ex)::int executions,
            (select count(*) from bt where not exists (select 1 from ex where ex.trigger_id = bt.id))::int misses,
            (select count(*) - count(distinct trigger_id) from ex)::int duplicates,
            (select count(*) from ex where scheduled_for is distinct from due)::int "wrongSchedule",
            (select count(*) from ex where status <> 'SUCCESS')::int failures,
            (select count(*) from ex where (result ->> 'late')::boolean)::int "markedLate",
            (select extract(epoch from max(fired_at) - min(fired_at)) from ex)::float8 "spanSeconds",
            (select percentile_cont(0.5) within group (order by late_ms) from ex) "lateP50Ms",
            (select percentile_cont(0.99) within group (order by late_ms) from ex) "lateP99Ms",
            (select max(late_ms) from ex) "lateMaxMs",
            (select percentile_cont(0.5) within group (order by built_ms) from ex) "builtP50Ms",
            (select percentile_cont(0.99) within group (order by built_ms) from ex) "builtP99Ms",
            (select max(built_ms) from ex) "builtMaxMs",
            (select count(distinct fired_at) from ex)::int ticks`,
    [workspaceId],
  );
  const row = rows[0];
  if (!row) throw new Error('the analysis of the executions returned no row');
  const value = (key: keyof FiringStats) => row[key] ?? Number.NaN;
  return {
    triggers: value('triggers'),
    executions: value('executions'),
    misses: value('misses'),
    duplicates: value('duplicates'),
    wrongSchedule: value('wrongSchedule'),
    failures: value('failures'),
    markedLate: value('markedLate'),
    spanSeconds: value('spanSeconds'),
    lateP50Ms: value('lateP50Ms'),
    lateP99Ms: value('lateP99Ms'),
    lateMaxMs: value('lateMaxMs'),
    builtP50Ms: value('builtP50Ms'),
    builtP99Ms: value('builtP99Ms'),
    builtMaxMs: value('builtMaxMs'),
    ticks: value('ticks'),
  };
}

const HEADER = ['scenario', 'triggers', 'firings/s', 'lateness p50 ms', 'p99 ms', 'duplicates', 'misses', 'goal'];

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '?');

/** Whether every trigger fired exactly once, at its own due time. */
export function firedExactlyOnce(result: TriggerResult): boolean {
  const f = result.firings;
  return f.duplicates === 0 && f.misses === 0 && f.wrongSchedule === 0;
}

/** The table row of `triggers-100k` and the notes under it. */
export function formatTriggerReport(name: string, result: TriggerResult): string {
  const { settings: s, firings: f } = result;
  const firingsPerSecond = f.spanSeconds > 0 ? f.executions / f.spanSeconds : Number.NaN;
  const goal = `p99 < ${LATENESS_GOAL_MS} ms -> ${f.lateP99Ms < LATENESS_GOAL_MS ? 'ok' : 'ABOVE'}`;
  const table = formatGrid(
    HEADER,
    [
      [
        name,
        String(f.triggers),
        Number.isFinite(firingsPerSecond) ? firingsPerSecond.toFixed(0) : '?',
        ms(f.lateP50Ms),
        ms(f.lateP99Ms),
        String(f.duplicates),
        String(f.misses),
        goal,
      ],
    ],
    new Set([0, 7]),
  );
  const exactlyOnce = firedExactlyOnce(result);
  const perFiring = (total: number) => (f.executions > 0 ? total / f.executions : Number.NaN);
  const cpu = result.cpuSeconds.reduce((a, b) => a + b, 0);
  return [
    table,
    '',
    `${name}: ${s.count} one-off TIME triggers (NOTIFY) due evenly over ${s.windowSeconds} s, starting ` +
      `${s.leadSeconds} s after the instance(s) were ready; ${s.instances} API instance(s) with TRIGGER_ENGINE=true, ` +
      `TRIGGER_POLL_MS=${s.pollMs}, TRIGGER_BATCH_SIZE=${s.batchSize}; drain up to ${s.drainSeconds} s.`,
    `       firings/s = executions / (last fired_at - first fired_at) = ${f.executions} / ${f.spanSeconds.toFixed(1)} s ` +
      `(the offered rate is ${(s.count / s.windowSeconds).toFixed(0)}/s); ${f.ticks} distinct claim times.`,
    `       lateness = late_ms as the engine records it (the claiming tick's clock - due time); max ${ms(f.lateMaxMs)} ms.`,
    `       execution row built (created_at - due time, after the action ran): p50 ${ms(f.builtP50Ms)} ms, ` +
      `p99 ${ms(f.builtP99Ms)} ms, max ${ms(f.builtMaxMs)} ms.`,
    `       duplicates = executions beyond one per trigger; misses = triggers without an execution; ` +
      `${f.wrongSchedule} with a wrong scheduled_for -> exactly once: ${exactlyOnce ? 'ok' : 'FAILED'}.`,
    `       ${f.failures} failed action(s), ${f.markedLate} marked late, ${result.loggedErrors} error line(s) logged.`,
    `       per firing: ${perFiring(result.statements).toFixed(2)} SQL statements (idle polls included), ` +
      `${(perFiring(cpu) * 1000).toFixed(2)} ms API CPU; CPU s per instance ` +
      `${result.cpuSeconds.map((c) => c.toFixed(1)).join(', ')}; peak RSS MB ` +
      `${result.peakRssMb.map((m) => m.toFixed(0)).join(', ')}.`,
  ].join('\n');
}
