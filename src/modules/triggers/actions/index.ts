import type { ActionConfig } from '../trigger.config';
import type { TriggerActionType } from '../trigger.enums';
import type { TriggerActionInput } from '../triggers.inputs';
import type { ActionContext, TriggerAction } from './action';
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

export type { ActionContext, FiringSubject, TriggerAction } from './action';
