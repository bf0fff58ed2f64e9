import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';

/** Every topic a module publishes to. Payloads are small and JSON-safe: ids, not entities. */
export enum Topic {
  NotificationReceived = 'NOTIFICATION_RECEIVED',
  /** A user's sessions, role or membership changed: cached viewers must be read again. */
  ViewerChanged = 'VIEWER_CHANGED',
  CalendarItemChanged = 'CALENDAR_ITEM_CHANGED',
  TriggerFired = 'TRIGGER_FIRED',
  HaConnectionStatusChanged = 'HA_CONNECTION_STATUS_CHANGED',
  /**
   * The events one flush stored for one user, carried whole: events are immutable and arrive too
   * fast to be read again, and one message per flush keeps bursts from flooding subscribers.
   */
  HaEventsStored = 'HA_EVENTS_STORED',
  WorkflowHealthChanged = 'WORKFLOW_HEALTH_CHANGED',
  /** A pet changed: renamed, fed, rested, or gained XP from activity or a goal. */
  PetUpdated = 'PET_UPDATED',
  /** Carries the execution's new state itself: several changes may follow each other within milliseconds. */
  TaskExecutionUpdated = 'TASK_EXECUTION_UPDATED',
}

export interface NotificationReceivedPayload {
  notificationId: string;
  workspaceId: string;
  recipientId: string | null;
  /** True when the notification is addressed to every admin of the workspace. */
  toAdmins: boolean;
}

export interface ViewerChangedPayload {
  userId: string;
}

export interface CalendarItemChangedPayload {
  workspaceId: string;
  userId: string;
  itemId: string;
  change: 'CREATED' | 'UPDATED' | 'DELETED';
}

export interface TriggerFiredPayload {
  workspaceId: string;
  userId: string;
  triggerId: string;
  calendarItemId: string;
  executionId: string;
}

export interface HaConnectionStatusChangedPayload {
  workspaceId: string;
  userId: string;
  connectionId: string;
  status: string;
}

export interface HaEventsStoredPayload {
  workspaceId: string;
  userId: string;
  events: HaEventPayload[];
}

/** One stored Home Assistant event, JSON-safe. */
export interface HaEventPayload {
  id: string;
  connectionId: string;
  eventType: string;
  entityId: string | null;
  oldState: string | null;
  newState: string | null;
  attributes: Record<string, unknown> | null;
  contextId: string;
  /** ISO 8601 */
  timestamp: string;
  createdAt: string;
}

export interface WorkflowHealthChangedPayload {
  workspaceId: string;
  workflowId: string;
  /** The run that changed the health; null when a person set the status. */
  healthLogId: string | null;
  previousStatus: string;
  status: string;
}

export interface PetUpdatedPayload {
  workspaceId: string;
  userId: string;
  petId: string;
}

export interface TaskExecutionUpdatedPayload {
  workspaceId: string;
  userId: string;
  taskId: string;
  execution: {
    id: string;
    status: string;
    kind: string;
    attempt: number;
    /** ISO 8601, like the other times. */
    scheduledFor: string | null;
    startedAt: string | null;
    finishedAt: string | null;
    durationMs: number | null;
    error: string | null;
    nextAttemptAt: string | null;
    createdAt: string;
  };
}

export type Topics = {
  [Topic.NotificationReceived]: [NotificationReceivedPayload];
  [Topic.ViewerChanged]: [ViewerChangedPayload];
  [Topic.CalendarItemChanged]: [CalendarItemChangedPayload];
  [Topic.TriggerFired]: [TriggerFiredPayload];
  [Topic.HaConnectionStatusChanged]: [HaConnectionStatusChangedPayload];
  [Topic.HaEventsStored]: [HaEventsStoredPayload];
  [Topic.WorkflowHealthChanged]: [WorkflowHealthChangedPayload];
  [Topic.PetUpdated]: [PetUpdatedPayload];
  [Topic.TaskExecutionUpdated]: [TaskExecutionUpdatedPayload];
};

export type AppPubSub = PubSub<Topics>;

export interface PubSubHandle {
  pubSub: AppPubSub;
  close(): Promise<void>;
}

/** In-process pub/sub, or Redis-backed when `redisUrl` is set so that instances share events. */
export function createAppPubSub(redisUrl: string | undefined): PubSubHandle {
  if (!redisUrl) {
    return { pubSub: createPubSub<Topics>(), close: async () => undefined };
  }
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient });
  return {
    pubSub: createPubSub<Topics>({ eventTarget }),
    async close() {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
