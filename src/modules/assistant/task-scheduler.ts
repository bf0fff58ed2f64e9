import type { Cron } from 'croner';
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { App } from '../../app';
import { toDate } from '../../common/scalars';
import type { TaskSettings } from '../../config';
import type { DB } from '../../db/tables';
import { ActivityService } from '../activity/activity.service';
import { cronSchedule } from '../triggers/conditions';
import { MissedFirePolicy } from '../triggers/trigger.enums';
import { ACTIVE_STATUSES, TaskExecutionStatus, TaskRunKind, type TaskNotifyOn } from './assistant.enums';
import { publishExecution, type TaskRun } from './task-run';

/** Limits a tick to one workspace's tasks (tests sharing a database); everything when absent. */
export interface TickScope {
  workspaceId?: string;
}

const MAX_CACHED_SCHEDULES = 10_000;

interface Claimed {
  run: TaskRun;
  status: TaskExecutionStatus;
  error: string | null;
}

/**
 * Turns due tasks into executions. Each batch is claimed in one transaction
 * (`for update skip locked`, then `next_run_at` moved on), so however many instances poll the
 * same database each scheduled time gets exactly one execution — which the unique
 * (task, scheduled_for) of executions guards again. A task whose previous run is still going
 * gets a SKIPPED execution instead (a unique index allows one going run per task); a time missed
 * while no instance ran runs once, late, or is recorded as SKIPPED (`missedPolicy`).
 */
export class TaskScheduler {
  readonly #schedules = new Map<string, Cron>();

  constructor(
    private readonly app: App,
    private readonly settings: TaskSettings,
  ) {}

  /** When a cron expression in a time zone is due next, strictly after `after`. */
  nextRun(cron: string, timeZone: string, after: Date): Date | null {
    const key = `${timeZone}\n${cron}`;
    let schedule = this.#schedules.get(key);
    if (!schedule) {
      if (this.#schedules.size >= MAX_CACHED_SCHEDULES) this.#schedules.clear();
      schedule = cronSchedule(cron, timeZone);
      this.#schedules.set(key, schedule);
    }
    return schedule.nextRun(after) ?? null;
  }

  /** Claims one batch of due tasks; returns how many. */
  async claimBatch(now: Date, scope: TickScope = {}): Promise<number> {
    const em = this.app.orm.em.fork();
    const claimed = await em.transactional(async (tx) => {
      const db = tx.getKysely<DB>();
      let query = db
        .selectFrom('tasks as t')
        .select([
          't.id',
          't.workspace_id',
          't.user_id',
          't.name',
          't.cron',
          't.time_zone',
          't.next_run_at',
          't.missed_policy',
          't.notify_on',
          't.max_attempts',
          't.retry_backoff_seconds',
          sql<boolean>`exists (select 1 from task_executions e where e.task_id = t.id and e.status in (${sql.join([...ACTIVE_STATUSES])}))`.as(
            'busy',
          ),
        ])
        .where('t.enabled', '=', true)
        .where('t.next_run_at', '<=', now);
      if (scope.workspaceId) query = query.where('t.workspace_id', '=', scope.workspaceId);
      const rows = await query
        .orderBy('t.next_run_at')
        .orderBy('t.priority', 'desc')
        .limit(this.settings.batchSize)
        .forUpdate('t')
        .skipLocked()
        .execute();
      if (rows.length === 0) return [];
      const batch: Claimed[] = [];
      const nextTimes: Array<string | null> = [];
      // Tasks due together often share a schedule: each (schedule, time) is worked out once.
      const nextOf = new Map<string, string | null>();
      for (const row of rows) {
        const scheduledFor = toDate(row.next_run_at!);
        const lateMs = now.getTime() - scheduledFor.getTime();
        // A late time runs once; the next one is the first after now.
        const after = lateMs > 0 ? now : scheduledFor;
        const key = `${row.time_zone}\n${row.cron}\n${after.getTime()}`;
        if (!nextOf.has(key)) nextOf.set(key, this.nextRun(row.cron, row.time_zone, after)?.toISOString() ?? null);
        nextTimes.push(nextOf.get(key)!);
        const missed = row.missed_policy === MissedFirePolicy.SKIP && lateMs > this.settings.graceMs;
        const error = row.busy
          ? 'skipped: the previous run was still going'
          : missed
            ? `skipped: missed by ${Math.round(lateMs / 1000)} s while no server ran tasks`
            : null;
        batch.push({
          status: error ? TaskExecutionStatus.SKIPPED : TaskExecutionStatus.PENDING,
          error,
          run: {
            executionId: uuidv7(),
            taskId: row.id,
            workspaceId: row.workspace_id,
            userId: row.user_id,
            taskName: row.name,
            kind: TaskRunKind.SCHEDULED,
            attempt: 1,
            scheduledFor,
            startedAt: null,
            createdAt: now,
            notifyOn: row.notify_on as TaskNotifyOn,
            maxAttempts: row.max_attempts,
            retryBackoffSeconds: row.retry_backoff_seconds,
          },
        });
      }
      const inserted = await insertExecutions(db, batch, now);
      await sql`
        update tasks t set next_run_at = x.next_run_at, updated_at = now()
          from unnest(${rows.map((r) => r.id)}::uuid[], ${nextTimes}::timestamptz[]) as x(id, next_run_at)
         where t.id = x.id`.execute(db);
      const written = batch.filter((c) => inserted.has(c.run.executionId));
      const activity = new ActivityService(tx);
      for (const c of written) {
        if (c.status !== TaskExecutionStatus.SKIPPED) continue;
        activity.build({
          workspaceId: c.run.workspaceId,
          userId: c.run.userId,
          type: 'task.skipped',
          message: `Task "${c.run.taskName}" ${c.error}`,
          payload: { taskId: c.run.taskId, executionId: c.run.executionId, status: c.status },
          createdAt: now,
        });
      }
      await tx.flush();
      return written;
    });
    for (const c of claimed) {
      publishExecution(this.app.pubSub, c.run, {
        status: c.status,
        attempt: 1,
        startedAt: null,
        finishedAt: c.status === TaskExecutionStatus.SKIPPED ? now : null,
        durationMs: null,
        error: c.error,
        nextAttemptAt: c.status === TaskExecutionStatus.PENDING ? now : null,
      });
    }
    return claimed.length;
  }

  /** RUNNING executions whose lease ran out (their instance died), except those running here. */
  async lostRuns(now: Date, running: string[], scope: TickScope = {}): Promise<TaskRun[]> {
    const db = this.app.orm.em.fork().getKysely<DB>();
    let query = db
      .selectFrom('task_executions as e')
      .innerJoin('tasks as t', 't.id', 'e.task_id')
      .select([
        'e.id',
        'e.task_id',
        'e.attempt',
        'e.kind',
        'e.scheduled_for',
        'e.started_at',
        'e.created_at',
        't.workspace_id',
        't.user_id',
        't.name',
        't.notify_on',
        't.max_attempts',
        't.retry_backoff_seconds',
      ])
      .where('e.status', '=', TaskExecutionStatus.RUNNING)
      .where('e.lease_expires_at', '<', now)
      .where(sql<boolean>`not (e.id = any(${running}::uuid[]))`);
    if (scope.workspaceId) query = query.where('e.workspace_id', '=', scope.workspaceId);
    const rows = await query.orderBy('e.lease_expires_at').limit(this.settings.batchSize).execute();
    return rows.map((row) => ({
      executionId: row.id,
      taskId: row.task_id,
      workspaceId: row.workspace_id,
      userId: row.user_id,
      taskName: row.name,
      kind: row.kind,
      attempt: row.attempt,
      scheduledFor: row.scheduled_for ? toDate(row.scheduled_for) : null,
      startedAt: row.started_at ? toDate(row.started_at) : null,
      createdAt: toDate(row.created_at),
      notifyOn: row.notify_on,
      maxAttempts: row.max_attempts,
      retryBackoffSeconds: row.retry_backoff_seconds,
    }));
  }
}

/** Inserts the executions of a claim in one statement; returns the ids written. */
async function insertExecutions(db: Kysely<DB>, batch: Claimed[], now: Date): Promise<Set<string>> {
  const { rows } = await sql<{ id: string }>`
    insert into task_executions (id, task_id, workspace_id, status, kind, scheduled_for, attempt, next_attempt_at,
                                 error, finished_at, created_at, updated_at)
    select x.id, x.task_id, x.workspace_id, x.status::task_execution_status, ${TaskRunKind.SCHEDULED}::task_run_kind,
           x.scheduled_for, 1, x.next_attempt_at, x.error, x.finished_at, ${now}, ${now}
      from unnest(${batch.map((c) => c.run.executionId)}::uuid[], ${batch.map((c) => c.run.taskId)}::uuid[],
                  ${batch.map((c) => c.run.workspaceId)}::uuid[], ${batch.map((c) => c.status)}::text[],
                  ${batch.map((c) => c.run.scheduledFor)}::timestamptz[],
                  ${batch.map((c) => (c.status === TaskExecutionStatus.PENDING ? now : null))}::timestamptz[],
                  ${batch.map((c) => c.error)}::text[],
                  ${batch.map((c) => (c.status === TaskExecutionStatus.SKIPPED ? now : null))}::timestamptz[])
           as x(id, task_id, workspace_id, status, scheduled_for, next_attempt_at, error, finished_at)
        on conflict do nothing
    returning id`.execute(db);
  return new Set(rows.map((r) => r.id));
}
