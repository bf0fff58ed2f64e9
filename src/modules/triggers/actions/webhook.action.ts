import type { ActionConfig } from '../trigger.config';
import { TriggerActionType } from '../trigger.enums';
import { InvalidTriggerError } from '../triggers.errors';
import type { ActionRun, TriggerAction } from './action';

type WebhookConfig = Extract<ActionConfig, { type: TriggerActionType.WEBHOOK }>;

const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TIMEOUT_MS = 30_000;

/** POSTs a JSON description of the firing (or run) to a URL; a non-2xx answer or a timeout is a failure. */
export const webhookAction: TriggerAction<WebhookConfig, ActionRun> = {
  type: TriggerActionType.WEBHOOK,
  parse(input) {
    let url: URL;
    try {
      url = new URL(input.url ?? '');
    } catch {
      throw new InvalidTriggerError('a WEBHOOK action needs a valid http(s) url');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidTriggerError('a WEBHOOK url must be http or https');
    }
    const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > MAX_TIMEOUT_MS) {
      throw new InvalidTriggerError(`timeoutMs must be between 100 and ${MAX_TIMEOUT_MS}`);
    }
    return { type: TriggerActionType.WEBHOOK, url: url.toString(), timeoutMs };
  },
  async run(config, ctx) {
    const started = Date.now();
    const response = await fetch(config.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'HomeOS-API' },
      body: JSON.stringify(ctx.webhookBody()),
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    await response.body?.cancel();
    const result = { status: response.status, durationMs: Date.now() - started };
    if (!response.ok) throw Object.assign(new Error(`webhook answered HTTP ${response.status}`), { result });
    return result;
  },
};
