import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { connectionType } from '../../common/pagination';
import { HaConnectionStatus, HaMetricType } from './ha.enums';

@ObjectType('HaConnectionHealth', { simpleResolvers: true, description: 'Latest health sample of a connection' })
export class HaConnectionHealthNode {
  @Field(() => Float, { nullable: true, description: 'Ping round trip, ms' })
  latencyMs!: number | null;

  @Field(() => Float, { description: 'Fraction of the last interval connected, 0..1' })
  uptime!: number;

  @Field(() => Float, { description: 'Failed commands and connection errors per command, 0..1' })
  errorRate!: number;

  @Field(() => Float, { description: 'Events per minute' })
  eventRate!: number;

  @Field(() => Date)
  sampledAt!: Date;
}

@ObjectType('HaConnection', {
  simpleResolvers: true,
  description: 'A Home Assistant instance of the viewer. Its access token is stored encrypted and never returned.',
})
export class HaConnectionNode {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  url!: string;

  @Field(() => HaConnectionStatus)
  status!: HaConnectionStatus;

  @Field(() => String, { nullable: true })
  homeAssistantVersion!: string | null;

  @Field(() => [String], { description: 'Components Home Assistant reported at the last connect or test' })
  supportedFeatures!: string[];

  @Field(() => [String], { description: 'Event types streamed into the event log' })
  eventTypes!: string[];

  @Field(() => Int)
  retentionDays!: number;

  @Field({ description: 'Whether the API keeps the connection open and streams its events' })
  isActive!: boolean;

  @Field(() => Date, { nullable: true })
  lastConnectedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  lastSeenAt!: Date | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => HaConnectionHealthNode, { nullable: true })
  connectionHealth!: HaConnectionHealthNode | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export const HaConnectionConnection = connectionType(HaConnectionNode);

@ObjectType('HaEvent', { simpleResolvers: true, description: 'An event received from Home Assistant' })
export class HaEventNode {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  connectionId!: string;

  @Field()
  eventType!: string;

  @Field(() => String, { nullable: true })
  entityId!: string | null;

  @Field(() => String, { nullable: true })
  oldState!: string | null;

  @Field(() => String, { nullable: true })
  newState!: string | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'state_changed: the new state attributes; other events: their data',
  })
  attributes!: Record<string, unknown> | null;

  @Field({ description: "Home Assistant's context id of the change" })
  contextId!: string;

  @Field({ description: 'When Home Assistant fired the event' })
  timestamp!: Date;

  @Field()
  createdAt!: Date;
}

export const HaEventConnection = connectionType(HaEventNode);

@ObjectType('HaEventMatch', { simpleResolvers: true })
export class HaEventMatchNode {
  @Field(() => Float, { description: 'Cosine distance to the event searched from (0 = same direction)' })
  distance!: number;

  @Field(() => HaEventNode)
  event!: HaEventNode;
}

@ObjectType('HaState', { simpleResolvers: true, description: "An entity's current state in Home Assistant" })
export class HaStateNode {
  @Field()
  entityId!: string;

  @Field()
  state!: string;

  @Field(() => GraphQLJSONObject)
  attributes!: Record<string, unknown>;

  @Field()
  lastChanged!: Date;

  @Field()
  lastUpdated!: Date;
}

@ObjectType('HaConnectionTestResult', { simpleResolvers: true })
export class HaConnectionTestResultNode {
  @Field()
  success!: boolean;

  @Field(() => HaConnectionStatus)
  status!: HaConnectionStatus;

  @Field(() => String, { nullable: true })
  homeAssistantVersion!: string | null;

  @Field(() => Int, { description: 'Number of components Home Assistant reported' })
  componentCount!: number;

  @Field(() => Int, { description: 'Connect, authenticate and read the configuration, ms' })
  durationMs!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => HaConnectionNode)
  connection!: HaConnectionNode;
}

@ObjectType('HaServiceCallResult', { simpleResolvers: true })
export class HaServiceCallResultNode {
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The service response, when it returns one' })
  response!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: "Home Assistant's context id of the call" })
  contextId!: string | null;

  @Field(() => Int)
  durationMs!: number;
}

@ObjectType('HaMetricPoint', { simpleResolvers: true, description: 'Samples of one metric within a bucket' })
export class HaMetricPointNode {
  @Field({ description: 'Start of the bucket' })
  at!: Date;

  @Field(() => HaMetricType)
  type!: HaMetricType;

  @Field(() => Float)
  average!: number;

  @Field(() => Float)
  min!: number;

  @Field(() => Float)
  max!: number;

  @Field(() => Int)
  samples!: number;
}
