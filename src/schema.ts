import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeScalar } from './common/scalars';
import { buildSchemaSync, type NonEmptyArray } from 'type-graphql';
import { AuthResolver } from './modules/accounts/auth.resolver';
import { UserResolver, WorkspaceResolver } from './modules/accounts/workspace.resolver';
import { CalendarResolver } from './modules/calendar/calendar.resolver';
import { HaConnectionResolver } from './modules/home-assistant/ha.resolver';
import { NotificationsResolver } from './modules/notifications/notifications.resolver';
import { GoalResolver } from './modules/quest/goal.resolver';
import { IntegrationResolver } from './modules/quest/integration.resolver';
import { PetResolver } from './modules/quest/pet.resolver';
import { QuestEventResolver, RawEventResolver } from './modules/quest/quest-event.resolver';
import { NotificationSettingsResolver } from './modules/notifications/notification-settings.resolver';
import { ActivityResolver } from './modules/activity/activity.resolver';
import { AiMemoryResolver } from './modules/assistant/ai-memory.resolver';
import { TaskExecutionResolver, TasksResolver } from './modules/assistant/tasks.resolver';
import {
  CalendarItemTriggersResolver,
  TriggerExecutionResolver,
  TriggersResolver,
} from './modules/triggers/triggers.resolver';
import { HealthResolver } from './modules/workflows/health.resolver';
import { ScreenshotsResolver } from './modules/workflows/screenshots.resolver';
import { StepsResolver } from './modules/workflows/steps.resolver';
import { WorkflowsResolver } from './modules/workflows/workflows.resolver';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const resolvers: NonEmptyArray<Function> = [
  AuthResolver,
  WorkspaceResolver,
  UserResolver,
  NotificationsResolver,
  CalendarResolver,
  CalendarItemTriggersResolver,
  TriggersResolver,
  TriggerExecutionResolver,
  HaConnectionResolver,
  WorkflowsResolver,
  StepsResolver,
  HealthResolver,
  ScreenshotsResolver,
  PetResolver,
  IntegrationResolver,
  QuestEventResolver,
  RawEventResolver,
  GoalResolver,
  NotificationSettingsResolver,
  ActivityResolver,
  TasksResolver,
  TaskExecutionResolver,
  AiMemoryResolver,
];

/**
 * Subscriptions subscribe through the pub/sub of their own server (`context.app.pubSub`), so
 * several servers can share one process; type-graphql's global pub/sub is never used.
 */
const noGlobalPubSub = {
  publish(): void {
    throw new Error('publish through context.app.pubSub');
  },
  subscribe(): AsyncIterable<unknown> {
    throw new Error('subscribe through context.app.pubSub');
  },
};

let schema: GraphQLSchema | undefined;

/** The executable schema of every module, built once per process. */
export function getSchema(): GraphQLSchema {
  schema ??= buildSchemaSync({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
    pubSub: noGlobalPubSub,
  });
  return schema;
}

/** The SDL committed as `schema.graphql`. */
export function printSchemaSdl(): string {
  return `${printSchema(lexicographicSortSchema(getSchema()))}\n`;
}
