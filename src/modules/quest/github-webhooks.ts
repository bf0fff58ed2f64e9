import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { uuidv7 } from 'uuidv7';
import type { App } from '../../app';
import { SecretBoxError } from '../../common/crypto';
import type { RequestInfo } from '../../context';
import { TENANT_FILTER, type TenantFilterArgs } from '../../db/orm-options';
import type { DB } from '../../db/tables';
import { AuditService } from '../audit/audit.service';
import { GithubPayloadError, normaliseGithub } from './github-normalise';
import { openSecret } from './integration-secrets';
import { publishPets, type QuestOwner } from './pets.service';
import { ingestEvents, type IngestResult } from './quest-ingest';
import { IntegrationStatus, QuestProvider, RawEventStatus } from './quest.enums';

export interface WebhookDelivery {
  integrationId: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received: the signature is over these bytes. */
  body: Buffer;
  request: RequestInfo;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_UNPARSED = 100_000;

/**
 * Whether `header` is GitHub's `X-Hub-Signature-256` of `body` with `secret`:
 * `sha256=` + hex HMAC-SHA256, compared in constant time.
 */
export function verifySignature(secret: string, body: Buffer, header: unknown): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/i.test(header.trim())) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(header.trim().slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `POST /webhooks/github/<integrationId>`: checks the signature with the integration's secret,
 * stores the delivery once per `X-GitHub-Delivery` as a raw event (also when it cannot be
 * normalised, with the error), normalises it and lets the events count — in one transaction.
 */
export class GithubWebhooks {
  constructor(private readonly app: App) {}

  async receive(delivery: WebhookDelivery): Promise<WebhookAnswer> {
    const started = performance.now();
    const integration = UUID.test(delivery.integrationId) ? await this.integration(delivery.integrationId) : undefined;
    if (!integration?.encrypted_webhook_secret || integration.status === IntegrationStatus.DISCONNECTED) {
      return { status: 404, body: { error: 'no such webhook' } };
    }
    const owner: QuestOwner = { workspaceId: integration.workspace_id, userId: integration.user_id };
    const event = header(delivery.headers['x-github-event']);
    const deliveryId = header(delivery.headers['x-github-delivery']);
    const reject = async (status: number, reason: string) => {
      await new AuditService(this.app.orm.em.fork()).record(
        {
          action: 'quest.webhook_rejected',
          success: false,
          ...owner,
          targetType: 'Integration',
          targetId: integration.id,
          errorMessage: reason,
          durationMs: Math.round(performance.now() - started),
          details: { event, delivery: deliveryId },
        },
        delivery.request,
      );
      return { status, body: { error: reason } };
    };

    let secret: string;
    try {
      secret = openSecret(
        this.app.secrets,
        { workspaceId: owner.workspaceId, integrationId: integration.id },
        'encrypted_webhook_secret',
        integration.encrypted_webhook_secret,
      );
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      this.app.logger.error({ err: error, integrationId: integration.id }, 'webhook secret cannot be decrypted');
      return reject(500, 'the webhook secret cannot be decrypted: create a new one');
    }
    const signature = delivery.headers['x-hub-signature-256'];
    if (!verifySignature(secret, delivery.body, signature)) {
      return reject(401, signature ? 'signature does not match' : 'X-Hub-Signature-256 missing');
    }
    if (!event || !deliveryId || event.length > 100 || deliveryId.length > 100) {
      return { status: 400, body: { error: 'X-GitHub-Event and X-GitHub-Delivery are required' } };
    }

    const parsed = parseBody(delivery.body, header(delivery.headers['content-type']));
    const now = this.app.clock();
    const rawEventId = uuidv7();
    let status = RawEventStatus.FAILED;
    let error: string | null = parsed.error;
    let note: string | null = null;
    let events: ReturnType<typeof normaliseGithub>['events'] = [];
    if (parsed.error === null) {
      try {
        const normalised = normaliseGithub(event, parsed.payload, integration.account_name);
        status = normalised.used ? RawEventStatus.PROCESSED : RawEventStatus.IGNORED;
        note = normalised.note;
        events = normalised.events;
      } catch (caught) {
        if (!(caught instanceof GithubPayloadError)) throw caught;
        error = caught.message;
      }
    }

    const em = this.app.orm.em.fork();
    em.setFilterParams(TENANT_FILTER, { workspaceId: owner.workspaceId } satisfies TenantFilterArgs);
    const outcome = await em.transactional(async (tx): Promise<IngestResult | null> => {
      const db = tx.getKysely<DB>();
      const inserted = await db
        .insertInto('raw_events')
        .values({
          id: rawEventId,
          workspace_id: owner.workspaceId,
          user_id: owner.userId,
          integration_id: integration.id,
          provider: QuestProvider.GITHUB,
          event_type: event,
          delivery_id: deliveryId,
          payload: JSON.stringify(parsed.payload) as never,
          status,
          error,
          note: note?.slice(0, 300) ?? null,
          event_count: 0,
          received_at: now,
          processed_at: now,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['integration_id', 'delivery_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return null;
      const result = await ingestEvents(
        tx,
        { owner, integrationId: integration.id, provider: QuestProvider.GITHUB, rawEventId },
        events,
        'once',
        now,
      );
      if (result.stored > 0) {
        await db.updateTable('raw_events').set({ event_count: result.stored }).where('id', '=', rawEventId).execute();
      }
      return result;
    });
    if (!outcome) return { status: 200, body: { status: 'duplicate', delivery: deliveryId } };
    publishPets(this.app, owner, outcome.petIds);
    return {
      status: 200,
      body: { status, delivery: deliveryId, rawEventId, events: outcome.stored, ...(error ? { error } : {}) },
    };
  }

  private integration(id: string) {
    return this.app.orm.em
      .fork()
      .getKysely<DB>()
      .selectFrom('integrations')
      .select(['id', 'workspace_id', 'user_id', 'status', 'account_name', 'encrypted_webhook_secret'])
      .where('id', '=', id)
      .where('provider', '=', QuestProvider.GITHUB)
      .executeTakeFirst();
  }
}

function header(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

/** The JSON payload of a delivery (`application/json`, or the `payload` field of a form). */
function parseBody(body: Buffer, contentType: string): { payload: Record<string, unknown>; error: string | null } {
  const text = body.toString('utf8');
  try {
    const json = contentType.includes('application/x-www-form-urlencoded')
      ? (new URLSearchParams(text).get('payload') ?? '')
      : text;
    // PostgreSQL text cannot hold NUL characters.
    const payload: unknown = JSON.parse(json, (_key, value: unknown) =>
      typeof value === 'string' ? value.replace(/\0/g, '\uFFFD') : value,
    );
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return { payload: { body: payload }, error: 'the payload is not a JSON object' };
    }
    return { payload: payload as Record<string, unknown>, error: null };
  } catch {
    return { payload: { body: text.slice(0, MAX_UNPARSED).replace(/\0/g, '\uFFFD') }, error: 'the body is not JSON' };
  }
}
