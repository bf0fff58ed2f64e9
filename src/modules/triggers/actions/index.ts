import type { ActionConfig } from '../trigger.config';
import { TriggerActionType } from '../trigger.enums';
import type { TriggerActionInput } from '../triggers.inputs';
import type { ActionContext, ActionRun, TriggerAction } from './action';
import { callHaServiceAction } from './call-ha-service.action';
import { notifyAction } from './notify.action';
import { completeItemAction, setStatusAction } from './set-status.action';
import { webhookAction } from './webhook.action';

/** Every action type; a new one is a `TriggerAction` added here. */
const registry = new Map<TriggerActionType, TriggerAction>(
  [notifyAction, completeItemAction, setStatusAction, webhookAction, callHaServiceAction].map((a) => [
    a.type,
    a as TriggerAction,
  ]),
);

/** The actions that need no calendar item, so that other runners (scheduled tasks) use them too. */
export const SHARED_ACTION_TYPES: ReadonlySet<TriggerActionType> = new Set([
  TriggerActionType.NOTIFY,
  TriggerActionType.WEBHOOK,
  TriggerActionType.CALL_HA_SERVICE,
]);

/** The stored config of a shared action. */
export type SharedActionConfig = Extract<
  ActionConfig,
  { type: TriggerActionType.NOTIFY | TriggerActionType.WEBHOOK | TriggerActionType.CALL_HA_SERVICE }
>;

function actionFor(type: TriggerActionType): TriggerAction {
  const action = registry.get(type);
  if (!action) throw new Error(`no action for ${type}`);
  return action;
}

export function parseAction(input: TriggerActionInput): ActionConfig {
  return actionFor(input.type).parse(input);
}

export function runAction(config: ActionConfig, ctx: ActionContext): Promise<Record<string, unknown>> {
  return actionFor(config.type).run(config, ctx);
}

/** Checks and stores a shared action (NOTIFY, WEBHOOK, CALL_HA_SERVICE). */
export function parseSharedAction(input: TriggerActionInput): SharedActionConfig {
  if (!SHARED_ACTION_TYPES.has(input.type)) throw new Error(`${input.type} is not a shared action`);
  return actionFor(input.type).parse(input) as SharedActionConfig;
}

/** Runs a shared action for any runner. */
export function runSharedAction(config: SharedActionConfig, ctx: ActionRun): Promise<Record<string, unknown>> {
  const action = actionFor(config.type) as unknown as TriggerAction<SharedActionConfig, ActionRun>;
  return action.run(config, ctx);
}

export type { ActionContext, ActionRun, FiringSubject, TriggerAction } from './action';
