import { NotificationsService } from '../../notifications/notifications.service';
import type { ActionConfig } from '../trigger.config';
import { TriggerActionType } from '../trigger.enums';
import type { TriggerAction } from './action';

type NotifyConfig = Extract<ActionConfig, { type: TriggerActionType.NOTIFY }>;

/** A notification for the item's owner (delivered in-app, live to subscribers). */
export const notifyAction: TriggerAction<NotifyConfig> = {
  type: TriggerActionType.NOTIFY,
  parse: (input) => ({ type: TriggerActionType.NOTIFY, title: input.title ?? null, message: input.message ?? null }),
  async run(config, ctx) {
    const payload = new NotificationsService(ctx.em, ctx.app.pubSub).build({
      workspaceId: ctx.trigger.workspaceId,
      to: { userId: ctx.trigger.userId },
      title: config.title ?? ctx.item.title,
      message: config.message ?? `${ctx.trigger.triggerType.toLowerCase()} trigger fired for "${ctx.item.title}"`,
      sourceType: 'calendar_item',
      sourceId: ctx.item.id,
      data: { triggerId: ctx.trigger.id },
    });
    ctx.notifications.push(payload);
    return { notificationId: payload.notificationId };
  },
};
