import type { DB } from '../../../db/tables';
import { CalendarItemStatus } from '../../calendar/calendar.enums';
import type { ActionConfig } from '../trigger.config';
import { TriggerActionType } from '../trigger.enums';
import { InvalidTriggerError } from '../triggers.errors';
import type { ActionContext, TriggerAction } from './action';

type SetStatusConfig = Extract<ActionConfig, { type: TriggerActionType.SET_STATUS }>;
type CompleteConfig = Extract<ActionConfig, { type: TriggerActionType.COMPLETE_ITEM }>;

/** Sets the item's status, keeping `completedAt` (and 100 % on completion) consistent. */
async function setStatus(ctx: ActionContext, status: CalendarItemStatus): Promise<Record<string, unknown>> {
  const completed = status === CalendarItemStatus.COMPLETED;
  await ctx.em
    .getKysely<DB>()
    .updateTable('calendar_items')
    .set({
      status,
      completed_at: completed ? ctx.firedAt : null,
      ...(completed ? { progress_percent: 100 } : {}),
      updated_at: ctx.firedAt,
    })
    .where('id', '=', ctx.item.id)
    .where('workspace_id', '=', ctx.trigger.workspaceId)
    .execute();
  ctx.changedItems.push(ctx.item.id);
  return { previousStatus: ctx.item.status, status };
}

export const setStatusAction: TriggerAction<SetStatusConfig> = {
  type: TriggerActionType.SET_STATUS,
  parse(input) {
    if (!input.status) throw new InvalidTriggerError('a SET_STATUS action needs a status');
    return { type: TriggerActionType.SET_STATUS, status: input.status };
  },
  run: (config, ctx) => setStatus(ctx, config.status),
};

export const completeItemAction: TriggerAction<CompleteConfig> = {
  type: TriggerActionType.COMPLETE_ITEM,
  parse: () => ({ type: TriggerActionType.COMPLETE_ITEM }),
  run: (_config, ctx) => setStatus(ctx, CalendarItemStatus.COMPLETED),
};
