import { parseId } from '../../../common/ids';
import { HaLiveService } from '../../home-assistant/ha-live.service';
import { validService } from '../../home-assistant/ha-validation';
import type { ActionConfig } from '../trigger.config';
import { TriggerActionType } from '../trigger.enums';
import { InvalidTriggerError } from '../triggers.errors';
import type { ActionRun, TriggerAction } from './action';

type CallConfig = Extract<ActionConfig, { type: TriggerActionType.CALL_HA_SERVICE }>;

/** Calls a service of one of the owner's Home Assistant connections (audited like any call). */
export const callHaServiceAction: TriggerAction<CallConfig, ActionRun> = {
  type: TriggerActionType.CALL_HA_SERVICE,
  parse(input) {
    if (!input.connectionId || !input.domain || !input.service) {
      throw new InvalidTriggerError('a CALL_HA_SERVICE action needs connectionId, domain and service');
    }
    let names: { domain: string; service: string };
    try {
      names = validService(input.domain, input.service);
    } catch (error) {
      throw new InvalidTriggerError((error as Error).message);
    }
    return {
      type: TriggerActionType.CALL_HA_SERVICE,
      connectionId: parseId(input.connectionId, 'connectionId'),
      ...names,
      serviceData: input.serviceData ?? null,
      target: input.target ?? null,
    };
  },
  async run(config, ctx) {
    const result = await new HaLiveService(ctx.app).callService(
      { workspaceId: ctx.owner.workspaceId, userId: ctx.owner.userId },
      config,
    );
    return {
      domain: config.domain,
      service: config.service,
      contextId: result.contextId,
      durationMs: result.durationMs,
    };
  },
};
