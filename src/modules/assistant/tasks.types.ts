import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import type { Loaders } from '../../loaders';
import { MissedFirePolicy } from '../triggers/trigger.enums';
import { TaskActionType, TaskExecutionStatus, TaskNotifyOn, TaskPriority, TaskRunKind } from './assistant.enums';

@ObjectType('TaskAction', { simpleResolvers: true })
export class TaskActionNode {
  @Field(() => TaskActionType)
  type!: TaskActionType;

  @Field(() => String, { nullable: true })
  prompt!: string | null;

  @Field(() => String, { nullable: true })
  model!: string | null;

  @Field(() => String, { nullable: true })
  command!: string | null;

  @Field(() => [String], { nullable: true })
  args!: string[] | null;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field(() => String, { nullable: true })
  url!: string | null;

  @Field(() => Int, { nullable: true })
  timeoutMs!: number | null;

  @Field(() => ID, { nullable: true })
  connectionId!: string | null;

  @Field(() => String, { nullable: true })
  domain!: string | null;

  @Field(() => String, { nullable: true })
  service!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  serviceData!: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  target!: Record<string, unknown> | null;
}

@ObjectType('Task', { simpleResolvers: true })
export class TaskNode {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field()
  cron!: string;

  @Field({ description: 'IANA time zone of the cron expression' })
  timeZone!: string;

  @Field()
  enabled!: boolean;

  @Field(() => TaskPriority)
  priority!: TaskPriority;

  @Field(() => TaskNotifyOn)
  notifyOn!: TaskNotifyOn;

  @Field(() => Int)
  timeoutSeconds!: number;

  @Field(() => Int)
  maxAttempts!: number;

  @Field(() => Int)
  retryBackoffSeconds!: number;

  @Field(() => MissedFirePolicy)
  missedPolicy!: MissedFirePolicy;

  @Field(() => Date, { nullable: true, description: 'When a run last started' })
  lastRunAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it runs next (null while disabled)' })
  nextRunAt!: Date | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType('TaskExecution', { simpleResolvers: true })
export class TaskExecutionNode {
  @Field(() => ID)
  id!: string;

  @Field(() => TaskExecutionStatus)
  status!: TaskExecutionStatus;

  @Field(() => TaskRunKind)
  kind!: TaskRunKind;

  @Field(() => Int, { description: 'The current (or last) attempt, from 1' })
  attempt!: number;

  @Field(() => Date, { nullable: true, description: 'Scheduled runs: when it was due' })
  scheduledFor!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the current (or last) attempt started' })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'How long the last attempt took, in milliseconds' })
  durationMs!: number | null;

  @Field(() => String, { nullable: true, description: 'Why it failed, timed out or was skipped' })
  error!: string | null;

  @Field(() => Date, { nullable: true, description: 'PENDING: when it may start (a retry waits for its backoff)' })
  nextAttemptAt!: Date | null;

  @Field()
  createdAt!: Date;

  /** Not a GraphQL field: resolves `task`. (`output` is read on demand.) */
  taskId!: string;

  /**
   * Not a GraphQL field. Subscription events: loaders of the event's own, so that `output` and
   * `task` are read as they are now, not from the cache of an earlier event of the same execution.
   */
  eventLoaders?: Loaders;
}

export const TaskConnection = connectionType(TaskNode, 'Task');
export const TaskExecutionConnection = connectionType(TaskExecutionNode, 'TaskExecution');
