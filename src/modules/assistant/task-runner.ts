import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { App } from '../../app';
import { toDate } from '../../common/scalars';
import type { TaskSettings } from '../../config';
import type { DB } from '../../db/tables';
import type { Role } from '../accounts/role';
import type { NewNotification } from '../notifications/notifications.service';
import { runSharedAction, type ActionRun } from '../triggers/actions';
import { TaskActionType, TaskExecutionStatus, type TaskNotifyOn, type TaskRunKind } from './assistant.enums';
import { runCommand, TaskRunError } from './command.action';
import { capText } from './output-cap';
import { runPrompt, type MemoryEntry } from './prompt.action';
import { commandRefusal } from './task-actions';
import type { OutcomeWriter, RunResult } from './task-outcomes';
import { publishExecution, type StartedRun } from './task-run';
import type { TickScope } from './task-scheduler';
import type { TaskActionConfig } from './task.config';

/** A RUNNING execution is taken for lost this long after its timeout, unless finished. */
const LEASE_MARGIN_SECONDS = 60;
/** Memories given to a PROMPT, most recently changed first. */
const MAX_MEMORIES = 200;

/** Why a run was stopped from outside. */
class RunStop extends Error {
  constructor(readonly reason: 'timeout' | 'shutdown') {
    super(reason);
  }
}

interface InFlight {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Starts PENDING executions (as many as this instance has room for, `TASK_CONCURRENCY`), runs
 * their actions with the task's timeout, and hands each outcome to the `OutcomeWriter`. The start
 * is one statement per batch (`for update skip locked`), so a run starts on exactly one instance;
 * its lease (timeout + a margin) lets other instances recover it if this one dies.
 */
export class TaskRunner {
  readonly #inFlight = new Map<string, InFlight>();

  constructor(
    private readonly app: App,
    private readonly settings: TaskSettings,
    private readonly outcomes: OutcomeWriter,
    /** Called when a run ends, so that waiting runs can start. */
    private readonly onFree: () => void,
  ) {}

  /** Ids of the executions running on this instance. */
  get running(): string[] {
    return [...this.#inFlight.keys()];
  }

  /** Starts what is due and fits; returns how many started. */
  async startDue(now: Date, scope: TickScope = {}): Promise<number> {
    let total = 0;
    for (;;) {
      const room = Math.min(this.settings.batchSize, this.settings.concurrency - this.#inFlight.size);
      if (room <= 0) return total;
      const runs = await this.claim(now, room, scope);
      total += runs.length;
      const memories = await this.memoriesFor(runs);
      for (const run of runs) {
        publishExecution(this.app.pubSub, run, {
          status: TaskExecutionStatus.RUNNING,
          attempt: run.attempt,
          startedAt: run.startedAt,
          finishedAt: null,
          durationMs: null,
          error: null,
          nextAttemptAt: null,
        });
        this.#launch(run, memories.get(run.userId) ?? []);
      }
      if (runs.length < room) return total;
    }
  }

  /** Waits for every run in progress, and for their outcomes to be written. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight.values()].map((r) => r.done));
    await this.outcomes.idle();
  }

  /** Stops every run in progress; they are written back as PENDING, to run again. */
  async stop(): Promise<void> {
    for (const run of this.#inFlight.values()) run.controller.abort(new RunStop('shutdown'));
    await this.idle();
  }

  private async claim(now: Date, limit: number, scope: TickScope): Promise<StartedRun[]> {
    const db = this.app.orm.em.fork().getKysely<DB>();
    // Due as of the round's time; started (and leased) as of now.
    const startedAt = this.app.clock();
    const inScope = scope.workspaceId ? sql`and e.workspace_id = ${scope.workspaceId}` : sql``;
    const { rows } = await sql<StartRow>`
      with due as (
        select e.id from task_executions e
         where e.status = ${TaskExecutionStatus.PENDING} and e.next_attempt_at <= ${now} ${inScope}
         order by e.next_attempt_at, e.id
         limit ${limit}
           for update skip locked),
      started as (
        update task_executions e
           set status = ${TaskExecutionStatus.RUNNING}, started_at = ${startedAt}, next_attempt_at = null,
               lease_expires_at = ${startedAt}::timestamptz + (t.timeout_seconds + ${LEASE_MARGIN_SECONDS}) * interval '1 second',
               updated_at = now()
          from due, tasks t
         where e.id = due.id and t.id = e.task_id
        returning e.id, e.task_id, e.attempt, e.kind, e.scheduled_for, e.started_at, e.created_at, t.workspace_id,
                  t.user_id, t.name, t.action, t.timeout_seconds, t.max_attempts, t.retry_backoff_seconds, t.notify_on),
      touched as (
        update tasks t set last_run_at = ${startedAt} from started where t.id = started.task_id)
      select started.*, u.role as owner_role from started join users u on u.id = started.user_id
       order by started.id`.execute(db);
    return rows.map((row) => ({
      executionId: row.id,
      taskId: row.task_id,
      workspaceId: row.workspace_id,
      userId: row.user_id,
      taskName: row.name,
      kind: row.kind,
      attempt: row.attempt,
      scheduledFor: row.scheduled_for ? toDate(row.scheduled_for) : null,
      startedAt: toDate(row.started_at),
      createdAt: toDate(row.created_at),
      notifyOn: row.notify_on,
      maxAttempts: row.max_attempts,
      retryBackoffSeconds: row.retry_backoff_seconds,
      action: row.action,
      timeoutSeconds: row.timeout_seconds,
      ownerRole: row.owner_role,
    }));
  }

  /** The memories of the owners of the PROMPT runs, in one query. */
  private async memoriesFor(runs: StartedRun[]): Promise<Map<string, MemoryEntry[]>> {
    const owners = [...new Set(runs.filter((r) => r.action.type === TaskActionType.PROMPT).map((r) => r.userId))];
    const byOwner = new Map<string, MemoryEntry[]>();
    if (owners.length === 0) return byOwner;
    const { rows } = await sql<MemoryEntry & { user_id: string }>`
      select user_id, key, value, category from (
        select m.*, row_number() over (partition by m.user_id order by m.updated_at desc, m.id desc) as rank
          from ai_memories m where m.user_id = any(${owners}::uuid[])) ranked
       where rank <= ${MAX_MEMORIES}
       order by user_id, category nulls first, key`.execute(this.app.orm.em.fork().getKysely<DB>());
    for (const { user_id, ...memory } of rows) {
      const list = byOwner.get(user_id) ?? [];
      list.push(memory);
      byOwner.set(user_id, list);
    }
    return byOwner;
  }

  #launch(run: StartedRun, memories: MemoryEntry[]): void {
    const controller = new AbortController();
    const done = this.#execute(run, controller, memories).finally(() => {
      this.#inFlight.delete(run.executionId);
      this.onFree();
    });
    this.#inFlight.set(run.executionId, { controller, done });
  }

  async #execute(run: StartedRun, controller: AbortController, memories: MemoryEntry[]): Promise<void> {
    const started = performance.now();
    const timer = setTimeout(() => controller.abort(new RunStop('timeout')), run.timeoutSeconds * 1000);
    let result: RunResult;
    try {
      const done = await untilAborted(this.perform(run, controller.signal, memories), controller.signal);
      result = { kind: 'success', ...done };
    } catch (error) {
      const stop = controller.signal.aborted ? (controller.signal.reason as RunStop) : null;
      if (stop?.reason === 'shutdown') {
        result = { kind: 'interrupted' };
      } else if (stop?.reason === 'timeout') {
        result = { kind: 'failure', timedOut: true, error: `timed out after ${run.timeoutSeconds} s`, output: null };
      } else {
        const output = error instanceof TaskRunError ? error.output : null;
        result = {
          kind: 'failure',
          timedOut: false,
          error: capText(error instanceof Error ? error.message : String(error), 4000),
          output,
        };
      }
    } finally {
      clearTimeout(timer);
    }
    const durationMs = Math.round(performance.now() - started);
    this.outcomes.submit({ run, result, durationMs, endedAt: this.app.clock() });
  }

  /** Runs the task's action; resolves with its output (capped) and the notifications it asks for. */
  private async perform(run: StartedRun, signal: AbortSignal, memories: MemoryEntry[]): Promise<Performed> {
    const { action } = run;
    const { ai } = this.app.config;
    const cap = (text: string) => capText(text, this.settings.outputMaxBytes);
    switch (action.type) {
      case TaskActionType.PROMPT: {
        const { output } = await runPrompt(action, { ai, taskName: run.taskName, memories, signal });
        return { output: cap(output), notices: [] };
      }
      case TaskActionType.COMMAND: {
        const refusal = commandRefusal(ai, run.ownerRole as Role);
        if (refusal) throw new TaskRunError(refusal, null);
        const env = {
          HOMEOS_TASK_ID: run.taskId,
          HOMEOS_EXECUTION_ID: run.executionId,
          HOMEOS_ATTEMPT: String(run.attempt),
        };
        const options = { cwd: ai.workspace, maxOutputBytes: this.settings.outputMaxBytes, signal, env };
        const { output } = await runCommand(action, options); // capped as it is read
        return { output, notices: [] };
      }
      default: {
        const notices: NewNotification[] = [];
        const result = await runSharedAction(action, this.sharedRun(run, notices));
        return { output: cap(JSON.stringify(result)), notices };
      }
    }
  }

  /**
   * What NOTIFY, WEBHOOK or CALL_HA_SERVICE get, as the triggers give it: the notifications they
   * ask for are written with the run's outcome (many runs in one statement).
   */
  private sharedRun(run: StartedRun, notices: NewNotification[]): ActionRun {
    return {
      app: this.app,
      owner: { workspaceId: run.workspaceId, userId: run.userId },
      notice: {
        title: run.taskName,
        message: `Task "${run.taskName}" ran`,
        sourceType: 'task',
        sourceId: run.taskId,
        data: { taskId: run.taskId, executionId: run.executionId },
      },
      webhookBody: () => ({
        event: 'task.run',
        task: { id: run.taskId, name: run.taskName },
        execution: { id: run.executionId, kind: run.kind, attempt: run.attempt },
        scheduledFor: run.scheduledFor?.toISOString() ?? null,
        startedAt: run.startedAt?.toISOString() ?? null,
      }),
      notify: (notification) => {
        const id = uuidv7();
        notices.push({ ...notification, id, workspaceId: run.workspaceId, to: { userId: run.userId } });
        return id;
      },
    };
  }
}

interface Performed {
  output: string;
  notices: NewNotification[];
}

interface StartRow {
  id: string;
  task_id: string;
  attempt: number;
  kind: TaskRunKind;
  scheduled_for: Date | string | null;
  started_at: Date | string;
  created_at: Date | string;
  workspace_id: string;
  user_id: string;
  name: string;
  action: TaskActionConfig;
  timeout_seconds: number;
  max_attempts: number;
  retry_backoff_seconds: number;
  notify_on: TaskNotifyOn;
  owner_role: string;
}

/** The work's result, or a rejection as soon as `signal` aborts (work that ignores it is left behind). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
