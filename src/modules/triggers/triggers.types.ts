import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import { CalendarItemStatus } from '../calendar/calendar.enums';
import {
  GeofenceTransition,
  MissedFirePolicy,
  TriggerActionType,
  TriggerExecutionStatus,
  TriggerType,
} from './trigger.enums';

@ObjectType('TimeCondition', { simpleResolvers: true })
export class TimeConditionNode {
  @Field(() => Date, { nullable: true })
  at!: Date | null;

  @Field(() => String, { nullable: true })
  cron!: string | null;

  @Field(() => String, { nullable: true })
  timeZone!: string | null;

  @Field(() => Int, { nullable: true })
  minutesBefore!: number | null;
}

@ObjectType('LocationCondition', { simpleResolvers: true })
export class LocationConditionNode {
  @Field(() => Float)
  latitude!: number;

  @Field(() => Float)
  longitude!: number;

  @Field(() => Float)
  radiusMeters!: number;

  @Field(() => GeofenceTransition)
  on!: GeofenceTransition;
}

@ObjectType('ProgressCondition', { simpleResolvers: true })
export class ProgressConditionNode {
  @Field(() => Int)
  thresholdPercent!: number;

  @Field()
  once!: boolean;
}

@ObjectType('NfcCondition', { simpleResolvers: true })
export class NfcConditionNode {
  @Field({ description: 'Normalised: upper-case hex, no separators' })
  tagId!: string;
}

@ObjectType('HaStateCondition', { simpleResolvers: true })
export class HaStateConditionNode {
  @Field(() => ID)
  connectionId!: string;

  @Field()
  entityId!: string;

  @Field(() => String, { nullable: true })
  from!: string | null;

  @Field(() => String, { nullable: true })
  to!: string | null;

  @Field(() => Int)
  forSeconds!: number;
}

@ObjectType('TriggerCondition', { simpleResolvers: true, description: 'One of them is set' })
export class TriggerConditionNode {
  @Field(() => TimeConditionNode, { nullable: true })
  time!: TimeConditionNode | null;

  @Field(() => LocationConditionNode, { nullable: true })
  location!: LocationConditionNode | null;

  @Field(() => ProgressConditionNode, { nullable: true })
  progress!: ProgressConditionNode | null;

  @Field(() => NfcConditionNode, { nullable: true })
  nfc!: NfcConditionNode | null;

  @Field(() => HaStateConditionNode, { nullable: true })
  haState!: HaStateConditionNode | null;
}

@ObjectType('TriggerAction', { simpleResolvers: true })
export class TriggerActionNode {
  @Field(() => TriggerActionType)
  type!: TriggerActionType;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field(() => CalendarItemStatus, { nullable: true })
  status!: CalendarItemStatus | null;

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

@ObjectType('Trigger', { simpleResolvers: true })
export class TriggerNode {
  @Field(() => ID)
  id!: string;

  @Field(() => TriggerType)
  triggerType!: TriggerType;

  @Field()
  isActive!: boolean;

  @Field(() => Date, { nullable: true })
  lastFiredAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'TIME triggers: when they fire next' })
  nextFireAt!: Date | null;

  @Field(() => MissedFirePolicy)
  missedPolicy!: MissedFirePolicy;

  @Field()
  createdAt!: Date;

  /** Not a GraphQL field: resolves `calendarItem`. (`condition` and `action` are read on demand.) */
  calendarItemId!: string;
}

@ObjectType('TriggerExecution', { simpleResolvers: true })
export class TriggerExecutionNode {
  @Field(() => ID)
  id!: string;

  @Field()
  firedAt!: Date;

  @Field(() => TriggerExecutionStatus)
  status!: TriggerExecutionStatus;

  @Field(() => Date, { nullable: true, description: 'TIME firings: when it was due' })
  scheduledFor!: Date | null;

  @Field(() => Float, { nullable: true, description: 'How late it fired, in milliseconds' })
  lateMs!: number | null;

  /** Not a GraphQL field: resolves `trigger`. */
  triggerId!: string;
}

export const TriggerExecutionConnection = connectionType(TriggerExecutionNode, 'TriggerExecution');
