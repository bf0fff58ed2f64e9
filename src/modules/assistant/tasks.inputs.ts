import { ArrayMaxSize, IsOptional, Length, MaxLength } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { MissedFirePolicy } from '../triggers/trigger.enums';
import { TaskActionType, TaskNotifyOn, TaskPriority } from './assistant.enums';

@InputType({ description: 'What the task does; the fields that apply depend on the type' })
export class TaskActionInput {
  @Field(() => TaskActionType)
  type!: TaskActionType;

  @Field(() => String, { nullable: true, description: "PROMPT: what to ask (the owner's AI memories go with it)" })
  @IsOptional()
  @MaxLength(20_000)
  prompt?: string | null;

  @Field(() => String, { nullable: true, description: 'PROMPT: a model other than the server default (AI_MODEL)' })
  @IsOptional()
  @MaxLength(200)
  model?: string | null;

  @Field(() => String, { nullable: true, description: 'COMMAND: the program, run in AI_WORKSPACE without a shell' })
  @IsOptional()
  @MaxLength(500)
  command?: string | null;

  @Field(() => [String], { nullable: true, description: 'COMMAND: its arguments, one per item (never parsed)' })
  @IsOptional()
  @ArrayMaxSize(100)
  @MaxLength(4000, { each: true })
  args?: string[] | null;

  @Field(() => String, { nullable: true, description: 'NOTIFY: title (default: the task name)' })
  @IsOptional()
  @MaxLength(200)
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'NOTIFY: message' })
  @IsOptional()
  @MaxLength(2000)
  message?: string | null;

  @Field(() => String, { nullable: true, description: 'WEBHOOK: http(s) URL to POST to' })
  @IsOptional()
  @MaxLength(2000)
  url?: string | null;

  @Field(() => Int, { nullable: true, description: 'WEBHOOK: timeout in ms (default 5000, at most 30000)' })
  timeoutMs?: number | null;

  @Field(() => ID, { nullable: true, description: "CALL_HA_SERVICE: one of the owner's Home Assistant connections" })
  connectionId?: string | null;

  @Field(() => String, { nullable: true, description: 'CALL_HA_SERVICE: domain, e.g. light' })
  @IsOptional()
  @MaxLength(100)
  domain?: string | null;

  @Field(() => String, { nullable: true, description: 'CALL_HA_SERVICE: service, e.g. turn_on' })
  @IsOptional()
  @MaxLength(100)
  service?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'CALL_HA_SERVICE: service data' })
  serviceData?: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'CALL_HA_SERVICE: target' })
  target?: Record<string, unknown> | null;
}

@InputType()
export class CreateTaskInput {
  @Field()
  @Length(1, 200)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;

  @Field({ description: 'Five-field cron expression (minute hour day month weekday), or @hourly, @daily…' })
  @MaxLength(120)
  cron!: string;

  @Field(() => String, { nullable: true, description: 'IANA time zone of the cron expression (default UTC)' })
  @IsOptional()
  @MaxLength(64)
  timeZone?: string | null;

  @Field(() => TaskActionInput)
  action!: TaskActionInput;

  @Field(() => Boolean, { nullable: true, description: 'Default true' })
  enabled?: boolean | null;

  @Field(() => TaskPriority, { nullable: true, description: 'Default DEFAULT' })
  priority?: TaskPriority | null;

  @Field(() => TaskNotifyOn, { nullable: true, description: 'Default BOTH' })
  notifyOn?: TaskNotifyOn | null;

  @Field(() => Int, { nullable: true, description: 'Seconds a run may take (default 300, at most 86400)' })
  timeoutSeconds?: number | null;

  @Field(() => Int, { nullable: true, description: 'Attempts per run, 1 to 10 (default 1: no retry)' })
  maxAttempts?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Seconds before the first retry, doubling for each further one (default 60)',
  })
  retryBackoffSeconds?: number | null;

  @Field(() => MissedFirePolicy, {
    nullable: true,
    description: 'A time missed while no instance ran: run it once late (default), or skip it',
  })
  missedPolicy?: MissedFirePolicy | null;
}

@InputType({ description: 'Fields to change; a field left out stays as it is' })
export class UpdateTaskInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'null clears it' })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(120)
  cron?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(64)
  timeZone?: string | null;

  @Field(() => TaskActionInput, { nullable: true })
  action?: TaskActionInput | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => TaskPriority, { nullable: true })
  priority?: TaskPriority | null;

  @Field(() => TaskNotifyOn, { nullable: true })
  notifyOn?: TaskNotifyOn | null;

  @Field(() => Int, { nullable: true })
  timeoutSeconds?: number | null;

  @Field(() => Int, { nullable: true })
  maxAttempts?: number | null;

  @Field(() => Int, { nullable: true })
  retryBackoffSeconds?: number | null;

  @Field(() => MissedFirePolicy, { nullable: true })
  missedPolicy?: MissedFirePolicy | null;
}

@InputType()
export class TaskFilter {
  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Part of the name or description' })
  @IsOptional()
  @MaxLength(200)
  text?: string | null;
}
