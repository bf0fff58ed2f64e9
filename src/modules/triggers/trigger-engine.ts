import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { App } from '../../app';
import { forEachLimited } from '../../common/concurrency';
import { Topic, type NotificationReceivedPayload } from '../../common/pubsub';
import type { DB } from '../../db/tables';
import { ActivityService } from '../activity/activity.service';
import { NotificationsService } from '../notifications/notifications.service';
import { runAction, type ActionContext, type FiringSubject } from './actions';
import type { ActionConfig, TriggerState } from './trigger.config';
import { TriggerExecution } from './trigger-execution.entity';
import { TriggerExecutionStatus } from './trigger.enums';

/** One trigger firing: what fired, why, and the action it runs. */
export interface Firing extends FiringSubject {
  action: ActionConfig;
  /** What caused it (e.g. the geofence crossing), stored on the execution. */
  reason?: Record<string, unknown>;
  /** Engine state to merge into the trigger (geofence side, progress fired). */
  state?: TriggerState;
}

export interface FiredExecution {
  id: string;
  triggerId: string;
  calendarItemId: string;
  status: TriggerExecutionStatus;
}

const ACTION_CONCURRENCY = 16;

/** Triggers joined with their items: the columns every firing needs. */
export function firingQuery(db: Kysely<DB>) {
  return db
    .selectFrom('triggers as t')
    .innerJoin('calendar_items as c', 'c.id', 't.calendar_item_id')
    .select([
      't.id',
      't.workspace_id',
      't.user_id',
      't.trigger_type',
      't.trigger_config',
      't.action',
      't.state',
      'c.id as item_id',
      'c.title',
      'c.status',
    ]);
}

type FiringRow = Awaited<ReturnType<ReturnType<typeof firingQuery>['executeTakeFirstOrThrow']>>;

/** The firing of a row of `firingQuery`. */
export function toFiring(
  row: FiringRow,
  when: Pick<Firing, 'firedAt' | 'scheduledFor' | 'lateMs'>,
  extra: Pick<Firing, 'reason' | 'state'> = {},
): Firing {
  return {
    trigger: { id: row.id, workspaceId: row.workspace_id, userId: row.user_id, triggerType: row.trigger_type },
    item: { id: row.item_id, title: row.title, status: row.status },
    action: row.action,
    ...when,
    ...extra,
  };
}

/**
 * Runs the actions of a batch of firings and records every one as a `TriggerExecution` (also when
 * its action fails), with an activity event, in one write per batch; then tells subscribers.
 */
export class TriggerEngine {
  constructor(
    private readonly app: App,
    /** Firings later than this are marked late. */
    private readonly lateAfterMs: number,
  ) {}

  async fire(firings: Firing[]): Promise<FiredExecution[]> {
    if (firings.length === 0) return [];
    const em = this.app.orm.em.fork();
    const notifications: NotificationReceivedPayload[] = [];
    const changedItems: string[] = [];
    const activity = new ActivityService(em);
    const fired: FiredExecution[] = [];
    await forEachLimited(firings, ACTION_CONCURRENCY, async (firing) => {
      let status = TriggerExecutionStatus.SUCCESS;
      let outcome: Record<string, unknown>;
      try {
        outcome = await runAction(firing.action, {
          ...firing,
          ...firingRun(firing),
          notify: (notification) => {
            const payload = new NotificationsService(em, this.app.pubSub).build({
              ...notification,
              workspaceId: firing.trigger.workspaceId,
              to: { userId: firing.trigger.userId },
            });
            notifications.push(payload);
            return payload.notificationId;
          },
          app: this.app,
          em,
          notifications,
          changedItems,
        });
      } catch (error) {
        status = TriggerExecutionStatus.FAILURE;
        const details = (error as { result?: Record<string, unknown> }).result ?? {};
        outcome = { ...details, error: error instanceof Error ? error.message : String(error) };
      }
      const late = firing.lateMs !== null && firing.lateMs > this.lateAfterMs;
      const id = uuidv7();
      em.create(TriggerExecution, {
        id,
        trigger: firing.trigger.id,
        workspace: firing.trigger.workspaceId,
        firedAt: firing.firedAt,
        status,
        result: { action: firing.action.type, ...outcome, ...(firing.reason ?? {}), late },
        scheduledFor: firing.scheduledFor,
        lateMs: firing.lateMs,
      });
      activity.build({
        workspaceId: firing.trigger.workspaceId,
        userId: firing.trigger.userId,
        type: 'trigger.fired',
        message: `${firing.trigger.triggerType} trigger of "${firing.item.title}" fired${late ? ' late' : ''}`,
        payload: { triggerId: firing.trigger.id, calendarItemId: firing.item.id, executionId: id, status },
        createdAt: firing.firedAt,
      });
      fired.push({ id, triggerId: firing.trigger.id, calendarItemId: firing.item.id, status });
    });
    await em.transactional(async (tx) => {
      await tx.flush();
      await markFired(tx.getKysely<DB>(), firings);
    });
    this.announce(firings, fired, notifications, changedItems, em);
    return fired;
  }

  private announce(
    firings: Firing[],
    fired: FiredExecution[],
    notifications: NotificationReceivedPayload[],
    changedItems: string[],
    em: EntityManager,
  ): void {
    const { pubSub } = this.app;
    new NotificationsService(em, pubSub).publish(notifications);
    const byTrigger = new Map(firings.map((f) => [f.trigger.id, f.trigger]));
    for (const execution of fired) {
      const trigger = byTrigger.get(execution.triggerId)!;
      pubSub.publish(Topic.TriggerFired, {
        workspaceId: trigger.workspaceId,
        userId: trigger.userId,
        triggerId: trigger.id,
        calendarItemId: execution.calendarItemId,
        executionId: execution.id,
      });
    }
    for (const itemId of new Set(changedItems)) {
      const trigger = firings.find((f) => f.item.id === itemId)!.trigger;
      pubSub.publish(Topic.CalendarItemChanged, {
        workspaceId: trigger.workspaceId,
        userId: trigger.userId,
        itemId,
        change: 'UPDATED',
      });
    }
  }
}

/** What the shared actions need to know of a firing: its owner, notice and webhook body. */
function firingRun(firing: Firing): Pick<ActionContext, 'owner' | 'notice' | 'webhookBody'> {
  const { trigger, item } = firing;
  return {
    owner: { workspaceId: trigger.workspaceId, userId: trigger.userId },
    notice: {
      title: item.title,
      message: `${trigger.triggerType.toLowerCase()} trigger fired for "${item.title}"`,
      sourceType: 'calendar_item',
      sourceId: item.id,
      data: { triggerId: trigger.id },
    },
    webhookBody: () => ({
      event: 'trigger.fired',
      trigger: { id: trigger.id, type: trigger.triggerType },
      item: { id: item.id, title: item.title },
      firedAt: firing.firedAt.toISOString(),
      scheduledFor: firing.scheduledFor?.toISOString() ?? null,
      lateMs: firing.lateMs,
    }),
  };
}

/** `last_fired_at` (and any engine state) of every fired trigger, in one statement. */
async function markFired(db: Kysely<DB>, firings: Firing[]): Promise<void> {
  const ids = firings.map((f) => f.trigger.id);
  const times = firings.map((f) => f.firedAt.toISOString());
  const states = firings.map((f) => JSON.stringify(f.state ?? {}));
  await sql`
    update triggers t
       set last_fired_at = greatest(t.last_fired_at, x.fired_at),
           state = t.state || x.state,
           updated_at = now()
      from unnest(${ids}::uuid[], ${times}::timestamptz[], ${states}::jsonb[]) as x(id, fired_at, state)
     where t.id = x.id`.execute(db);
}
