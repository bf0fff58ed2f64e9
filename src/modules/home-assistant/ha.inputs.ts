import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';

@InputType()
export class CreateHaConnectionInput {
  @Field()
  name!: string;

  @Field({ description: 'Base URL of Home Assistant, e.g. http://homeassistant.local:8123' })
  url!: string;

  @Field({ description: 'A long-lived access token (Home Assistant profile → Security)' })
  accessToken!: string;

  @Field(() => [String], { nullable: true, description: 'Event types to stream besides state_changed' })
  eventTypes?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'Days events are kept (default 90)' })
  retentionDays?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Stream events (default true)' })
  isActive?: boolean | null;
}

@InputType()
export class UpdateHaConnectionInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => String, { nullable: true, description: 'Replaces the stored token' })
  accessToken?: string | null;

  @Field(() => [String], { nullable: true })
  eventTypes?: string[] | null;

  @Field(() => Int, { nullable: true })
  retentionDays?: number | null;

  @Field(() => Boolean, { nullable: true })
  isActive?: boolean | null;
}

@InputType()
export class HaEventFilter {
  @Field(() => String, { nullable: true })
  eventType?: string | null;

  @Field(() => String, { nullable: true })
  entityId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Events fired at or after' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Events fired before' })
  to?: Date | null;
}

@InputType()
export class CallHaServiceInput {
  @Field(() => ID)
  connectionId!: string;

  @Field({ description: 'e.g. light' })
  domain!: string;

  @Field({ description: 'e.g. turn_on' })
  service!: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  serviceData?: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'e.g. { "entity_id": "light.kitchen" }' })
  target?: Record<string, unknown> | null;
}
