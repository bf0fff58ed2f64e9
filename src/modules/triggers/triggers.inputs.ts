import { GraphQLJSONObject } from 'graphql-scalars';
import { IsOptional, Max, MaxLength, Min } from 'class-validator';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { CalendarItemStatus } from '../calendar/calendar.enums';
import { GeofenceTransition, MissedFirePolicy, TriggerActionType } from './trigger.enums';

@InputType({ description: 'Exactly one of: at, cron (with timeZone), minutesBefore' })
export class TimeConditionInput {
  @Field(() => Date, { nullable: true, description: 'Fire once at this time' })
  at?: Date | null;

  @Field(() => String, { nullable: true, description: 'Five- or six-field cron expression' })
  @IsOptional()
  @MaxLength(120)
  cron?: string | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone of the cron expression (default UTC)' })
  @IsOptional()
  @MaxLength(64)
  timeZone?: string | null;

  @Field(() => Int, { nullable: true, description: 'Minutes before the item starts (each occurrence if it recurs)' })
  @IsOptional()
  @Min(0)
  @Max(525_600)
  minutesBefore?: number | null;
}

@InputType()
export class LocationConditionInput {
  @Field(() => Float)
  @Min(-90)
  @Max(90)
  latitude!: number;

  @Field(() => Float)
  @Min(-180)
  @Max(180)
  longitude!: number;

  @Field(() => Float, { description: 'Radius of the geofence in metres' })
  radiusMeters!: number;

  @Field(() => GeofenceTransition)
  on!: GeofenceTransition;
}

@InputType()
export class ProgressConditionInput {
  @Field(() => Int)
  thresholdPercent!: number;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Fire only the first time the threshold is crossed (default true)',
  })
  once?: boolean | null;
}

@InputType()
export class NfcConditionInput {
  @Field({ description: 'Tag id in any usual spelling: 04:E8:D5:12, 04e8d512…' })
  @MaxLength(64)
  tagId!: string;
}

@InputType({ description: 'An entity of a Home Assistant connection changes state' })
export class HaStateConditionInput {
  @Field(() => ID)
  connectionId!: string;

  @Field({ description: 'e.g. binary_sensor.front_door' })
  @MaxLength(255)
  entityId!: string;

  @Field(() => String, { nullable: true, description: 'Only changes from this state' })
  @IsOptional()
  @MaxLength(255)
  from?: string | null;

  @Field(() => String, { nullable: true, description: 'Only changes to this state' })
  @IsOptional()
  @MaxLength(255)
  to?: string | null;

  @Field(() => Int, { nullable: true, description: 'Fire only once the new state has lasted this long (default 0)' })
  forSeconds?: number | null;
}

@InputType({ description: 'Exactly one of time, location, progress, nfc, haState' })
export class TriggerConditionInput {
  @Field(() => TimeConditionInput, { nullable: true })
  time?: TimeConditionInput | null;

  @Field(() => LocationConditionInput, { nullable: true })
  location?: LocationConditionInput | null;

  @Field(() => ProgressConditionInput, { nullable: true })
  progress?: ProgressConditionInput | null;

  @Field(() => NfcConditionInput, { nullable: true })
  nfc?: NfcConditionInput | null;

  @Field(() => HaStateConditionInput, { nullable: true })
  haState?: HaStateConditionInput | null;
}

@InputType({ description: 'What the trigger does; the fields that apply depend on the type' })
export class TriggerActionInput {
  @Field(() => TriggerActionType)
  type!: TriggerActionType;

  @Field(() => String, { nullable: true, description: 'NOTIFY: title (default: the item title)' })
  @IsOptional()
  @MaxLength(200)
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'NOTIFY: message' })
  @IsOptional()
  @MaxLength(2000)
  message?: string | null;

  @Field(() => CalendarItemStatus, { nullable: true, description: 'SET_STATUS: the status to set' })
  status?: CalendarItemStatus | null;

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

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'CALL_HA_SERVICE: target, e.g. { "entity_id": "light.hall" }',
  })
  target?: Record<string, unknown> | null;
}

@InputType()
export class CreateTriggerInput {
  @Field(() => ID)
  calendarItemId!: string;

  @Field(() => TriggerConditionInput)
  condition!: TriggerConditionInput;

  @Field(() => TriggerActionInput)
  action!: TriggerActionInput;

  @Field(() => Boolean, { nullable: true, description: 'Default true' })
  isActive?: boolean | null;

  @Field(() => MissedFirePolicy, { nullable: true, description: 'Default FIRE_ONCE_LATE' })
  missedPolicy?: MissedFirePolicy | null;
}

@InputType()
export class UpdateTriggerInput {
  @Field(() => ID)
  id!: string;

  @Field(() => TriggerConditionInput, { nullable: true })
  condition?: TriggerConditionInput | null;

  @Field(() => TriggerActionInput, { nullable: true })
  action?: TriggerActionInput | null;

  @Field(() => Boolean, { nullable: true })
  isActive?: boolean | null;

  @Field(() => MissedFirePolicy, { nullable: true })
  missedPolicy?: MissedFirePolicy | null;
}

@InputType()
export class ReportLocationInput {
  @Field(() => Float)
  @Min(-90)
  @Max(90)
  latitude!: number;

  @Field(() => Float)
  @Min(-180)
  @Max(180)
  longitude!: number;

  @Field(() => Float, { nullable: true, description: 'Uncertainty of the fix in metres (default 0)' })
  @IsOptional()
  @Min(0)
  @Max(100_000)
  accuracyMeters?: number | null;
}
