import type { EntityManager } from '@mikro-orm/postgresql';
import type { App } from '../../../app';
import type { NotificationReceivedPayload } from '../../../common/pubsub';
import type { CalendarItemStatus } from '../../calendar/calendar.enums';
import type { NewNotification } from '../../notifications/notifications.service';
import type { ActionConfig } from '../trigger.config';
import type { TriggerActionType, TriggerType } from '../trigger.enums';
import type { TriggerActionInput } from '../triggers.inputs';

/** The trigger and item of one firing, as the engine read them. */
export interface FiringSubject {
  trigger: { id: string; workspaceId: string; userId: string; triggerType: TriggerType };
  item: { id: string; title: string; status: CalendarItemStatus };
  firedAt: Date;
  scheduledFor: Date | null;
  lateMs: number | null;
}

/** A notification for the owner of a run, as an action asks for it. */
export type RunNotification = Omit<NewNotification, 'workspaceId' | 'to'>;

/**
 * What NOTIFY, WEBHOOK and CALL_HA_SERVICE need from whatever runs them: a trigger firing or a
 * task run.
 */
export interface ActionRun {
  app: App;
  /** The action acts for this user, within their workspace. */
  owner: { workspaceId: string; userId: string };
  /** What a NOTIFY says when it has no title or message of its own, and what it is about. */
  notice: {
    title: string;
    message: string;
    sourceType: string;
    sourceId: string;
    data: Record<string, unknown>;
  };
  /** The JSON a WEBHOOK posts. */
  webhookBody(): Record<string, unknown>;
  /** A notification for the owner, written (and published) by the runner with the rest of the run; returns its id. */
  notify(notification: RunNotification): string;
}

/** What a trigger's action may use: the shared run, the firing, and the item it may change. */
export interface ActionContext extends FiringSubject, ActionRun {
  /** Entities created on it are written by the engine with the execution. */
  em: EntityManager;
  /** Notifications to publish once written. */
  notifications: NotificationReceivedPayload[];
  /** Items the action changed, to announce once written. */
  changedItems: string[];
}

/** One kind of action: how its input is checked and stored, and what it does when it runs. */
export interface TriggerAction<C extends ActionConfig = ActionConfig, X extends ActionRun = ActionContext> {
  readonly type: TriggerActionType;
  /** Validates the input (throwing `InvalidTriggerError`) and returns what is stored. */
  parse(input: TriggerActionInput): C;
  /** Runs the action; the result is stored on the execution. Throws to record a failure. */
  run(config: C, ctx: X): Promise<Record<string, unknown>>;
}
