import { sql } from 'kysely';
import type { Reader, ScopedQuery } from '../../common/reader';
import { TaskActionType } from './assistant.enums';
import type { TaskActionConfig } from './task.config';
import type { TaskActionNode, TaskExecutionNode } from './tasks.types';

/** Each field of a `Task` node and its column (the action, JSON, is read on demand). */
export const TASK_COLUMNS = {
  id: 'tasks.id',
  name: 'tasks.name',
  description: 'tasks.description',
  cron: 'tasks.cron',
  timeZone: 'tasks.time_zone as timeZone',
  enabled: 'tasks.enabled',
  priority: 'tasks.priority',
  notifyOn: 'tasks.notify_on as notifyOn',
  timeoutSeconds: 'tasks.timeout_seconds as timeoutSeconds',
  maxAttempts: 'tasks.max_attempts as maxAttempts',
  retryBackoffSeconds: 'tasks.retry_backoff_seconds as retryBackoffSeconds',
  missedPolicy: 'tasks.missed_policy as missedPolicy',
  lastRunAt: 'tasks.last_run_at as lastRunAt',
  nextRunAt: 'tasks.next_run_at as nextRunAt',
  createdAt: 'tasks.created_at as createdAt',
  updatedAt: 'tasks.updated_at as updatedAt',
} as const;

/** Each field of a `TaskExecution` node (and the hidden `taskId`) and its column (output is read on demand). */
export const EXECUTION_COLUMNS = {
  id: 'task_executions.id',
  status: 'task_executions.status',
  kind: 'task_executions.kind',
  attempt: 'task_executions.attempt',
  scheduledFor: 'task_executions.scheduled_for as scheduledFor',
  startedAt: 'task_executions.started_at as startedAt',
  finishedAt: 'task_executions.finished_at as finishedAt',
  durationMs: 'task_executions.duration_ms as durationMs',
  error: 'task_executions.error',
  nextAttemptAt: 'task_executions.next_attempt_at as nextAttemptAt',
  createdAt: 'task_executions.created_at as createdAt',
  taskId: 'task_executions.task_id as taskId',
} as const;

export const selectTask = (q: ScopedQuery<'tasks'>) => q.select(Object.values(TASK_COLUMNS));

export const selectExecution = (q: ScopedQuery<'task_executions'>) => q.select(Object.values(EXECUTION_COLUMNS));

/** The viewer's own tasks: they are personal within a workspace. */
export function ownTasks(reader: Reader, userId: string) {
  return selectTask(reader.from('tasks')).where('tasks.user_id', '=', userId);
}

/** Executions of the viewer's own tasks only. */
export function ownExecutions(reader: Reader, userId: string) {
  return selectExecution(reader.from('task_executions')).where(
    sql<boolean>`exists (select 1 from tasks t where t.id = task_executions.task_id and t.user_id = ${userId})`,
  );
}

/** The newest `first + 1` executions of many tasks, in one statement. */
export function latestExecutionsLoader(reader: Reader, first: number, columns: string[]) {
  return reader.pagesByParent<'task_executions', TaskExecutionNode>('task_executions', columns, {
    parentColumn: 'task_executions.task_id',
    parentField: 'taskId',
    sortColumn: 'task_executions.created_at',
    sortField: 'createdAt',
    direction: 'desc',
    first,
  });
}

/** Execution counts of many tasks in one statement. */
export function executionCountLoader(reader: Reader) {
  return reader.countsByParent('task_executions', 'task_executions.task_id');
}

/** Actions (JSON) of many tasks, for the rows that ask for them. */
export function taskActionLoader(reader: Reader) {
  return reader.loader('tasks', (q) => q.select(['tasks.id', 'tasks.action']));
}

/** Outputs (up to `TASK_OUTPUT_MAX_BYTES` each) of many executions, for the rows that ask for them. */
export function executionOutputLoader(reader: Reader) {
  return reader.loader('task_executions', (q) => q.select(['task_executions.id', 'task_executions.output']));
}

export function toTaskActionNode(config: TaskActionConfig): TaskActionNode {
  const node: TaskActionNode = {
    type: config.type as unknown as TaskActionType,
    prompt: null,
    model: null,
    command: null,
    args: null,
    title: null,
    message: null,
    url: null,
    timeoutMs: null,
    connectionId: null,
    domain: null,
    service: null,
    serviceData: null,
    target: null,
  };
  switch (config.type) {
    case TaskActionType.PROMPT:
      return { ...node, prompt: config.prompt, model: config.model };
    case TaskActionType.COMMAND:
      return { ...node, command: config.command, args: config.args };
    default:
      return {
        ...node,
        title: 'title' in config ? (config.title ?? null) : null,
        message: 'message' in config ? (config.message ?? null) : null,
        url: 'url' in config ? config.url : null,
        timeoutMs: 'timeoutMs' in config ? config.timeoutMs : null,
        connectionId: 'connectionId' in config ? config.connectionId : null,
        domain: 'domain' in config ? config.domain : null,
        service: 'service' in config ? config.service : null,
        serviceData: 'serviceData' in config ? config.serviceData : null,
        target: 'target' in config ? config.target : null,
      };
  }
}
