import { Topic, type AppPubSub, type TaskExecutionUpdatedPayload } from '../../common/pubsub';
import { toIsoTimestamp } from '../../common/scalars';
import type { TaskExecutionStatus, TaskNotifyOn, TaskRunKind } from './assistant.enums';
import type { TaskActionConfig } from './task.config';

/** A run as the runtime holds it: its execution, and what it needs of its task. */
export interface TaskRun {
  executionId: string;
  taskId: string;
  workspaceId: string;
  userId: string;
  taskName: string;
  kind: TaskRunKind;
  attempt: number;
  scheduledFor: Date | null;
  startedAt: Date | null;
  createdAt: Date;
  notifyOn: TaskNotifyOn;
  maxAttempts: number;
  retryBackoffSeconds: number;
}

/** A run that has started on this instance: also its action and limits. */
export interface StartedRun extends TaskRun {
  action: TaskActionConfig;
  timeoutSeconds: number;
  /** The owner's role now (COMMAND tasks run for admins only). */
  ownerRole: string;
}

/** The state an execution changed to, as subscribers receive it. */
export interface ExecutionState {
  status: TaskExecutionStatus;
  attempt: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  error: string | null;
  nextAttemptAt: Date | null;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : toIsoTimestamp(value));

/** Tells `taskExecutionUpdated` subscribers (on every instance) that an execution changed state. */
export function publishExecution(pubSub: AppPubSub, run: TaskRun, state: ExecutionState): void {
  const payload: TaskExecutionUpdatedPayload = {
    workspaceId: run.workspaceId,
    userId: run.userId,
    taskId: run.taskId,
    execution: {
      id: run.executionId,
      status: state.status,
      kind: run.kind,
      attempt: state.attempt,
      scheduledFor: iso(run.scheduledFor),
      startedAt: iso(state.startedAt),
      finishedAt: iso(state.finishedAt),
      durationMs: state.durationMs,
      error: state.error,
      nextAttemptAt: iso(state.nextAttemptAt),
      createdAt: toIsoTimestamp(run.createdAt),
    },
  };
  pubSub.publish(Topic.TaskExecutionUpdated, payload);
}
