import type { EntityManager } from '@mikro-orm/postgresql';
import type { App } from '../../../app';
import type { NotificationReceivedPayload } from '../../../common/pubsub';
import type { CalendarItemStatus } from '../../calendar/calendar.enums';
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

/** What an action may use. Entities created on `em` are written by the engine with the execution. */
export interface ActionContext extends FiringSubject {
  app: App;
  em: EntityManager;
  /** Notifications to publish once written. */
  notifications: NotificationReceivedPayload[];
  /** Items the action changed, to announce once written. */
  changedItems: string[];
}

/** One kind of action: how its input is checked and stored, and what it does when a trigger fires. */
export interface TriggerAction<C extends ActionConfig = ActionConfig> {
  readonly type: TriggerActionType;
  /** Validates the input (throwing `InvalidTriggerError`) and returns what is stored. */
  parse(input: TriggerActionInput): C;
  /** Runs the action; the result is stored on the execution. Throws to record a failure. */
  run(config: C, ctx: ActionContext): Promise<Record<string, unknown>>;
}
