import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import type { App } from '../../app';
import type { NotificationReceivedPayload } from '../../common/pubsub';
import type { DB } from '../../db/tables';
import { ActivityService } from '../activity/activity.service';
import { NotificationSeverity } from '../notifications/notification.enums';
import { NotificationsService, type NewNotification } from '../notifications/notifications.service';
import { TaskExecutionStatus, TaskNotifyOn } from './assistant.enums';
import { publishExecution, type ExecutionState, type TaskRun } from './task-run';

/** How a run ended on its instance. */
export type RunResult =
  /** `notices`: the notifications its action asked for, written with the outcome. */
  | { kind: 'success'; output: string | null; notices: NewNotification[] }
  | { kind: 'failure'; error: string; output: string | null; timedOut: boolean }
  /** The server stopped while it ran: it runs again (the same attempt). */
  | { kind: 'interrupted' }
  /** Its instance stopped renewing it (died): a failed attempt. */
  | { kind: 'lost' };

export interface RunOutcome {
  run: TaskRun;
  result: RunResult;
  durationMs: number | null;
  /** When the run ended (or was found lost). */
  endedAt: Date;
}

interface Transition extends ExecutionState {
  run: TaskRun;
  output: string | null;
  notices: NewNotification[];
}

const MAX_BATCH = 1000;
const MAX_RETRY_DELAY_MS = 86_400_000;
const NOTICE_CHARS = 1000;

const TERMINAL = new Set([TaskExecutionStatus.SUCCESS, TaskExecutionStatus.FAILED, TaskExecutionStatus.TIMED_OUT]);

/** What a run's end makes of its execution: done, failed, timed out, or PENDING for a retry. */
export function transition(outcome: RunOutcome): Transition {
  const { run, result, durationMs, endedAt: now } = outcome;
  const base = { run, startedAt: run.startedAt, durationMs, nextAttemptAt: null, finishedAt: now, notices: [] };
  if (result.kind === 'success') {
    return {
      ...base,
      status: TaskExecutionStatus.SUCCESS,
      attempt: run.attempt,
      output: result.output,
      error: null,
      notices: result.notices,
    };
  }
  if (result.kind === 'interrupted') {
    return {
      ...base,
      status: TaskExecutionStatus.PENDING,
      attempt: run.attempt,
      finishedAt: null,
      nextAttemptAt: now,
      output: null,
      error: 'interrupted: the server stopped while it ran, so it runs again',
    };
  }
  const error = result.kind === 'lost' ? 'lost: the server running it stopped' : result.error;
  const output = result.kind === 'failure' ? result.output : null;
  if (run.attempt < run.maxAttempts) {
    const delay = Math.min(MAX_RETRY_DELAY_MS, run.retryBackoffSeconds * 1000 * 2 ** (run.attempt - 1));
    return {
      ...base,
      status: TaskExecutionStatus.PENDING,
      attempt: run.attempt + 1,
      finishedAt: null,
      nextAttemptAt: new Date(now.getTime() + delay),
      output,
      error,
    };
  }
  const timedOut = result.kind === 'failure' && result.timedOut;
  return {
    ...base,
    status: timedOut ? TaskExecutionStatus.TIMED_OUT : TaskExecutionStatus.FAILED,
    attempt: run.attempt,
    output,
    error,
  };
}

/**
 * Writes how runs ended: whatever finished while the previous write ran goes out in the next one,
 * one statement for every execution of it (applied only while the execution is still RUNNING that
 * attempt, so a run recovered elsewhere meanwhile is not overwritten), with the activity events and
 * notifications of finished runs in the same transaction; then tells subscribers.
 */
export class OutcomeWriter {
  #queue: RunOutcome[] = [];
  #writing: Promise<void> | undefined;

  constructor(private readonly app: App) {}

  submit(outcome: RunOutcome): void {
    this.#queue.push(outcome);
    this.#kick();
  }

  /** Resolves once everything submitted so far is written. */
  async idle(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  #kick(): void {
    if (this.#writing) return;
    this.#writing = (async () => {
      await nextTurn(); // gather what finishes in the same turn
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        try {
          await this.write(batch);
        } catch (error) {
          // Left RUNNING: once their lease is over they are recovered as lost runs.
          this.app.logger.error({ err: error, executions: batch.length }, 'writing task run outcomes failed');
        }
      }
    })().finally(() => {
      this.#writing = undefined;
      if (this.#queue.length > 0) this.#kick();
    });
  }

  private async write(batch: RunOutcome[]): Promise<void> {
    const now = this.app.clock();
    const transitions = batch.map((outcome) => transition(outcome));
    const em = this.app.orm.em.fork();
    const notifications: NotificationReceivedPayload[] = [];
    const applied = await em.transactional(async (tx) => {
      const { rows } = await sql<{ id: string }>`
        update task_executions e
           set status = x.status::task_execution_status, attempt = x.attempt, next_attempt_at = x.next_attempt_at,
               finished_at = x.finished_at, duration_ms = x.duration_ms, output = x.output, error = x.error,
               lease_expires_at = null, updated_at = now()
          from unnest(${transitions.map((t) => t.run.executionId)}::uuid[], ${transitions.map((t) => t.run.attempt)}::int[],
                      ${transitions.map((t) => t.status)}::text[], ${transitions.map((t) => t.attempt)}::int[],
                      ${transitions.map((t) => t.nextAttemptAt)}::timestamptz[], ${transitions.map((t) => t.finishedAt)}::timestamptz[],
                      ${transitions.map((t) => t.durationMs)}::int[], ${transitions.map((t) => t.output)}::text[],
                      ${transitions.map((t) => t.error)}::text[])
               as x(id, expected_attempt, status, attempt, next_attempt_at, finished_at, duration_ms, output, error)
         where e.id = x.id and e.status = 'RUNNING' and e.attempt = x.expected_attempt
        returning e.id`.execute(tx.getKysely<DB>());
      const written = new Set(rows.map((r) => r.id));
      const done = transitions.filter((t) => written.has(t.run.executionId));
      const activity = new ActivityService(tx);
      const notices = new NotificationsService(tx, this.app.pubSub);
      for (const t of done) {
        for (const notice of t.notices) notifications.push(notices.build(notice));
        if (!TERMINAL.has(t.status)) continue;
        activity.build(activityOf(t, now));
        if (notifies(t)) notifications.push(notices.build(noticeOf(t)));
      }
      await tx.flush();
      return done;
    });
    new NotificationsService(em, this.app.pubSub).publish(notifications);
    for (const t of applied) publishExecution(this.app.pubSub, t.run, t);
  }
}

function notifies(t: Transition): boolean {
  const { notifyOn } = t.run;
  if (notifyOn === TaskNotifyOn.BOTH) return true;
  if (t.status === TaskExecutionStatus.SUCCESS) return notifyOn === TaskNotifyOn.SUCCESS;
  return notifyOn === TaskNotifyOn.FAILURE;
}

const VERB: Partial<Record<TaskExecutionStatus, string>> = {
  [TaskExecutionStatus.SUCCESS]: 'succeeded',
  [TaskExecutionStatus.FAILED]: 'failed',
  [TaskExecutionStatus.TIMED_OUT]: 'timed out',
};

const ACTIVITY_TYPE: Partial<Record<TaskExecutionStatus, string>> = {
  [TaskExecutionStatus.SUCCESS]: 'task.succeeded',
  [TaskExecutionStatus.FAILED]: 'task.failed',
  [TaskExecutionStatus.TIMED_OUT]: 'task.timed_out',
};

const seconds = (ms: number | null) => (ms === null ? '' : ` in ${(ms / 1000).toFixed(1)} s`);

function activityOf(t: Transition, now: Date) {
  const { run } = t;
  return {
    workspaceId: run.workspaceId,
    userId: run.userId,
    type: ACTIVITY_TYPE[t.status] ?? 'task.failed',
    message: `Task "${run.taskName}" ${VERB[t.status]}${seconds(t.durationMs)}`,
    payload: { taskId: run.taskId, executionId: run.executionId, status: t.status, attempt: t.attempt, kind: run.kind },
    createdAt: now,
  };
}

function noticeOf(t: Transition) {
  const { run } = t;
  const ok = t.status === TaskExecutionStatus.SUCCESS;
  const text = (ok ? t.output : t.error)?.trim() || `Task "${run.taskName}" ${VERB[t.status]}${seconds(t.durationMs)}`;
  return {
    workspaceId: run.workspaceId,
    to: { userId: run.userId },
    severity: ok ? NotificationSeverity.INFO : NotificationSeverity.ERROR,
    title: `${run.taskName}: ${VERB[t.status]}`,
    message: text.length > NOTICE_CHARS ? `${text.slice(0, NOTICE_CHARS)}…` : text,
    link: `/tasks/${run.taskId}`,
    sourceType: 'task',
    sourceId: run.taskId,
    data: { executionId: run.executionId, status: t.status, attempt: t.attempt },
  };
}
