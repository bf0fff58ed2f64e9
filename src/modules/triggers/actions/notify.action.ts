import type { ActionConfig } from '../trigger.config';
import { TriggerActionType } from '../trigger.enums';
import type { ActionRun, TriggerAction } from './action';

type NotifyConfig = Extract<ActionConfig, { type: TriggerActionType.NOTIFY }>;

/** A notification for the owner (delivered in-app, live to subscribers, and pushed where configured). */
export const notifyAction: TriggerAction<NotifyConfig, ActionRun> = {
  type: TriggerActionType.NOTIFY,
  parse: (input) => ({ type: TriggerActionType.NOTIFY, title: input.title ?? null, message: input.message ?? null }),
  async run(config, ctx) {
    const notificationId = ctx.notify({
      title: config.title ?? ctx.notice.title,
      message: config.message ?? ctx.notice.message,
      sourceType: ctx.notice.sourceType,
      sourceId: ctx.notice.sourceId,
      data: ctx.notice.data,
    });
    return { notificationId };
  },
};
