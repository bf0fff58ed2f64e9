import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { App } from '../../app';
import { paginate, type Connection } from '../../common/pagination';
import type { Reader } from '../../common/reader';
import type { Viewer } from '../../context';
import { ActivityService } from '../activity/activity.service';
import { cronSchedule } from '../triggers/conditions';
import { MissedFirePolicy } from '../triggers/trigger.enums';
import { ACTIVE_STATUSES, TaskExecutionStatus, TaskNotifyOn, TaskPriority, TaskRunKind } from './assistant.enums';
import { InvalidTaskError, TaskNotFoundError } from './assistant.errors';
import { parseTaskAction } from './task-actions';
import { TaskExecution } from './task-execution.entity';
import { publishExecution, type ExecutionState, type TaskRun } from './task-run';
import { Task } from './task.entity';
import type { CreateTaskInput, TaskFilter, UpdateTaskInput } from './tasks.inputs';
import { ownTasks, selectExecution } from './tasks.read';
import type { TaskExecutionNode, TaskNode } from './tasks.types';

const LIMITS = {
  timeoutSeconds: { min: 1, max: 86_400, default: 300 },
  maxAttempts: { min: 1, max: 10, default: 1 },
  retryBackoffSeconds: { min: 1, max: 86_400, default: 60 },
} as const;

/** The viewer's scheduled tasks: their rules, schedule and manual runs. */
export class TasksService {
  constructor(
    private readonly app: App,
    private readonly em: EntityManager,
  ) {}

  async create(viewer: Viewer, input: CreateTaskInput): Promise<Task> {
    const action = await parseTaskAction(this.app, viewer, input.action);
    const task = this.em.create(Task, {
      workspace: viewer.workspaceId,
      user: viewer.id,
      name: input.name.trim(),
      description: input.description ?? null,
      cron: normaliseCron(input.cron),
      timeZone: input.timeZone ?? 'UTC',
      actionType: input.action.type,
      action,
      enabled: input.enabled ?? true,
      priority: input.priority ?? TaskPriority.DEFAULT,
      notifyOn: input.notifyOn ?? TaskNotifyOn.BOTH,
      timeoutSeconds: bounded('timeoutSeconds', input.timeoutSeconds),
      maxAttempts: bounded('maxAttempts', input.maxAttempts),
      retryBackoffSeconds: bounded('retryBackoffSeconds', input.retryBackoffSeconds),
      missedPolicy: input.missedPolicy ?? MissedFirePolicy.FIRE_ONCE_LATE,
    });
    if (!task.name) throw new InvalidTaskError('name cannot be empty');
    this.schedule(task);
    await this.em.flush();
    return task;
  }

  async update(viewer: Viewer, input: UpdateTaskInput): Promise<Task> {
    const task = await this.findOwn(viewer, input.id);
    if (input.action) {
      task.action = await parseTaskAction(this.app, viewer, input.action);
      task.actionType = input.action.type;
    }
    if (input.name != null) task.name = input.name.trim();
    if (!task.name) throw new InvalidTaskError('name cannot be empty');
    if (input.description !== undefined) task.description = input.description;
    if (input.cron != null) task.cron = normaliseCron(input.cron);
    if (input.timeZone != null) task.timeZone = input.timeZone;
    if (input.priority != null) task.priority = input.priority;
    if (input.notifyOn != null) task.notifyOn = input.notifyOn;
    if (input.missedPolicy != null) task.missedPolicy = input.missedPolicy;
    if (input.timeoutSeconds != null) task.timeoutSeconds = bounded('timeoutSeconds', input.timeoutSeconds);
    if (input.maxAttempts != null) task.maxAttempts = bounded('maxAttempts', input.maxAttempts);
    if (input.retryBackoffSeconds != null) {
      task.retryBackoffSeconds = bounded('retryBackoffSeconds', input.retryBackoffSeconds);
    }
    return this.commit(task, input.enabled ?? task.enabled);
  }

  async setEnabled(viewer: Viewer, id: string, enabled: boolean): Promise<Task> {
    return this.commit(await this.findOwn(viewer, id), enabled);
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const task = await this.findOwn(viewer, id);
    this.em.remove(task);
    await this.em.flush();
    return true;
  }

  /**
   * A run now, besides the schedule (also of a disabled task). Under a lock on the task, so that
   * it never overlaps a run still going: then it is recorded as SKIPPED. Returns the execution id.
   */
  async runNow(viewer: Viewer, id: string): Promise<string> {
    const now = this.app.clock();
    const { run, execution } = await this.em.transactional(async (tx) => {
      const task = await tx.findOne(Task, { id, user: viewer.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!task) throw new TaskNotFoundError(id);
      const busy = (await tx.count(TaskExecution, { task: id, status: { $in: [...ACTIVE_STATUSES] } })) > 0;
      const error = busy ? 'skipped: the previous run was still going' : null;
      const execution = tx.create(TaskExecution, {
        task,
        workspace: viewer.workspaceId,
        status: busy ? TaskExecutionStatus.SKIPPED : TaskExecutionStatus.PENDING,
        kind: TaskRunKind.MANUAL,
        scheduledFor: null,
        nextAttemptAt: busy ? null : now,
        finishedAt: busy ? now : null,
        error,
        createdAt: now,
        updatedAt: now,
      });
      const run = toRun(task, execution);
      if (busy) {
        new ActivityService(tx).build({
          workspaceId: viewer.workspaceId,
          userId: viewer.id,
          type: 'task.skipped',
          message: `Task "${task.name}" ${error}`,
          payload: { taskId: task.id, executionId: execution.id, status: execution.status },
          createdAt: now,
        });
      }
      await tx.flush();
      return { run, execution };
    });
    publishExecution(this.app.pubSub, run, stateOf(execution));
    this.app.tasks.poke();
    return execution.id;
  }

  get(reader: Reader, viewer: Viewer, id: string): Promise<TaskNode | undefined> {
    return ownTasks(reader, viewer.id).where('tasks.id', '=', id).executeTakeFirst() as Promise<TaskNode | undefined>;
  }

  list(
    reader: Reader,
    viewer: Viewer,
    page: { first: number; after?: string | null },
    filter: TaskFilter | null | undefined,
  ): Promise<Connection<TaskNode>> {
    let query = ownTasks(reader, viewer.id);
    if (filter?.enabled != null) query = query.where('tasks.enabled', '=', filter.enabled);
    const text = filter?.text?.trim();
    if (text) {
      const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([eb('tasks.name', 'ilike', pattern), eb('tasks.description', 'ilike', pattern)]),
      );
    }
    return paginate({
      query,
      idColumn: 'tasks.id',
      sort: { column: 'tasks.name', field: 'name', direction: 'asc' },
      first: page.first,
      after: page.after,
    }) as Promise<Connection<TaskNode>>;
  }

  executions(reader: Reader, taskId: string, first: number, after?: string | null) {
    return paginate({
      query: selectExecution(reader.from('task_executions')).where('task_executions.task_id', '=', taskId),
      idColumn: 'task_executions.id',
      sort: { column: 'task_executions.created_at', field: 'createdAt', direction: 'desc' },
      first,
      after,
    }) as Promise<Connection<TaskExecutionNode>>;
  }

  async findOwn(viewer: Viewer, id: string): Promise<Task> {
    const task = await this.em.findOne(Task, { id, user: viewer.id });
    if (!task) throw new TaskNotFoundError(id);
    return task;
  }

  /**
   * Writes a changed task: its next run from its (checked) schedule, and when it is disabled, its
   * runs still waiting to start are skipped.
   */
  private async commit(task: Task, enabled: boolean): Promise<Task> {
    const disabling = task.enabled && !enabled;
    task.enabled = enabled;
    this.schedule(task);
    const now = this.app.clock();
    const skipped = disabling
      ? await this.em.find(TaskExecution, { task: task.id, status: TaskExecutionStatus.PENDING })
      : [];
    for (const execution of skipped) {
      execution.status = TaskExecutionStatus.SKIPPED;
      execution.error = 'skipped: the task was disabled';
      execution.finishedAt = now;
      execution.nextAttemptAt = null;
    }
    await this.em.flush();
    for (const execution of skipped) {
      publishExecution(this.app.pubSub, toRun(task, execution), stateOf(execution));
    }
    return task;
  }

  /** Checks the cron expression and time zone, and sets when the task runs next. */
  private schedule(task: Task): void {
    if (task.cron.split(' ').length > 5) {
      throw new InvalidTaskError('tasks run at most once a minute: use a five-field cron expression');
    }
    const next = cronSchedule(task.cron, task.timeZone).nextRun(this.app.clock());
    if (!next) throw new InvalidTaskError('cron never matches a future time');
    task.nextRunAt = task.enabled ? next : null;
  }
}

function normaliseCron(cron: string): string {
  return cron.trim().split(/\s+/).join(' ');
}

function bounded(field: keyof typeof LIMITS, value: number | null | undefined): number {
  const { min, max, default: fallback } = LIMITS[field];
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new InvalidTaskError(`${field} must be between ${min} and ${max}`);
  }
  return v;
}

function toRun(task: Task, execution: TaskExecution): TaskRun {
  return {
    executionId: execution.id,
    taskId: task.id,
    workspaceId: task.workspace.id,
    userId: task.user.id,
    taskName: task.name,
    kind: execution.kind,
    attempt: execution.attempt,
    scheduledFor: execution.scheduledFor ?? null,
    startedAt: execution.startedAt ?? null,
    createdAt: execution.createdAt,
    notifyOn: task.notifyOn,
    maxAttempts: task.maxAttempts,
    retryBackoffSeconds: task.retryBackoffSeconds,
  };
}

function stateOf(execution: TaskExecution): ExecutionState {
  return {
    status: execution.status,
    attempt: execution.attempt,
    startedAt: execution.startedAt ?? null,
    finishedAt: execution.finishedAt ?? null,
    durationMs: execution.durationMs ?? null,
    error: execution.error ?? null,
    nextAttemptAt: execution.nextAttemptAt ?? null,
  };
}
