import { registerEnumType } from 'type-graphql';

/** What a task does when it runs. */
export enum TaskActionType {
  /** Ask the AI (an OpenAI-compatible chat-completions API), with the owner's memories as context. */
  PROMPT = 'PROMPT',
  /** Run a program in the AI workspace folder (admins, when the server allows it). */
  COMMAND = 'COMMAND',
  NOTIFY = 'NOTIFY',
  WEBHOOK = 'WEBHOOK',
  CALL_HA_SERVICE = 'CALL_HA_SERVICE',
}

/** PENDING → RUNNING → SUCCESS | FAILED | TIMED_OUT; SKIPPED when it could not start. */
export enum TaskExecutionStatus {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  SUCCESS = 'SUCCESS',
  FAILED = 'FAILED',
  TIMED_OUT = 'TIMED_OUT',
  SKIPPED = 'SKIPPED',
}

/** When a run notifies its owner. */
export enum TaskNotifyOn {
  SUCCESS = 'SUCCESS',
  FAILURE = 'FAILURE',
  BOTH = 'BOTH',
  NEVER = 'NEVER',
}

/** Among tasks due at the same time, higher ones start first. */
export enum TaskPriority {
  LOW = 'LOW',
  DEFAULT = 'DEFAULT',
  HIGH = 'HIGH',
}

/** Why a run happened. */
export enum TaskRunKind {
  SCHEDULED = 'SCHEDULED',
  MANUAL = 'MANUAL',
}

/** Statuses of a run that is still going (waiting to start, for a retry, or running). */
export const ACTIVE_STATUSES = [TaskExecutionStatus.PENDING, TaskExecutionStatus.RUNNING] as const;

registerEnumType(TaskActionType, { name: 'TaskActionType' });
registerEnumType(TaskExecutionStatus, { name: 'TaskExecutionStatus' });
registerEnumType(TaskNotifyOn, { name: 'TaskNotifyOn' });
registerEnumType(TaskPriority, { name: 'TaskPriority' });
registerEnumType(TaskRunKind, { name: 'TaskRunKind' });
