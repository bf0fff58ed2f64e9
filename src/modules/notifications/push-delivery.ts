import { sql } from 'kysely';
import type { App } from '../../app';
import { forEachLimited, PollLoop } from '../../common/concurrency';
import { Topic } from '../../common/pubsub';
import type { PushSettings } from '../../config';
import type { DB } from '../../db/tables';
import { DeliveryStatus, type NotificationSeverity } from './notification.enums';
import { NtfyClient, NtfyError, ntfyMessage } from './ntfy-client';

const BATCH_SIZE = 100;
const CONCURRENCY = 8;
/** A claimed push is not claimed again for this long (its instance may have died meanwhile). */
const CLAIM_MS = 60_000;
const MAX_RETRY_MS = 3_600_000;
const MAX_ERROR_CHARS = 1000;

interface ClaimedPush {
  id: string;
  title: string;
  message: string;
  severity: NotificationSeverity;
  link: string | null;
  source_type: string | null;
  delivery_topics: string[];
  delivery_attempts: number;
}

interface Outcome {
  id: string;
  status: DeliveryStatus;
  topics: string[];
  error: string | null;
  nextAt: string | null;
  deliveredAt: string | null;
}

/**
 * Delivers PENDING pushes to ntfy: claimed a batch at a time (`for update skip locked`, so each
 * goes out from one instance), each topic published, failures retried with exponential backoff
 * up to `NTFY_MAX_ATTEMPTS` (only the topics that failed), and the outcome — SENT, PENDING again,
 * or FAILED with its error — written back on the notification in one statement per batch.
 */
export class PushDelivery {
  readonly #client: NtfyClient | undefined;
  readonly #loop: PollLoop;
  #events: AsyncIterator<unknown> | undefined;

  constructor(
    private readonly app: App,
    private readonly settings: PushSettings,
  ) {
    this.#client = settings.ntfyUrl
      ? new NtfyClient({ url: settings.ntfyUrl, username: settings.username, password: settings.password })
      : undefined;
    this.#loop = new PollLoop(
      settings.pollMs,
      () => this.tick(),
      (error) => app.logger.error({ err: error }, 'push delivery failed'),
    );
  }

  get enabled(): boolean {
    return this.#client !== undefined;
  }

  /** Delivers every push due at `now`; returns how many notifications it tried. */
  async tick(now: Date = this.app.clock()): Promise<number> {
    if (!this.#client) return 0;
    let total = 0;
    for (;;) {
      const claimed = await this.claim(now);
      if (claimed.length === 0) return total;
      total += claimed.length;
      const outcomes: Outcome[] = [];
      await forEachLimited(claimed, CONCURRENCY, async (push) => {
        outcomes.push(await this.deliver(push, now));
      });
      await this.record(outcomes);
      if (claimed.length < BATCH_SIZE) return total;
    }
  }

  /** Polls every `NTFY_POLL_MS`, and delivers at once after each new notification. */
  start(): void {
    if (!this.#client || !this.settings.engine) return;
    this.#loop.start();
    const events = this.app.pubSub.subscribe(Topic.NotificationReceived)[Symbol.asyncIterator]();
    this.#events = events;
    const listen = async () => {
      while (!(await events.next()).done) this.#loop.poke();
    };
    listen().catch((error: unknown) => this.app.logger.error({ err: error }, 'push delivery listener failed'));
  }

  async stop(): Promise<void> {
    await this.#events?.return?.();
    await this.#loop.stop();
  }

  private async claim(now: Date): Promise<ClaimedPush[]> {
    const db = this.app.orm.em.fork().getKysely<DB>();
    const { rows } = await sql<ClaimedPush>`
      with due as (
        select id from notifications
         where delivery_status = ${DeliveryStatus.PENDING} and next_delivery_at <= ${now}
         order by next_delivery_at
         limit ${BATCH_SIZE}
           for update skip locked)
      update notifications n
         set next_delivery_at = ${new Date(now.getTime() + CLAIM_MS)},
             delivery_attempts = n.delivery_attempts + 1
        from due
       where n.id = due.id
      returning n.id, n.title, n.message, n.severity, n.link, n.source_type, n.delivery_topics, n.delivery_attempts`.execute(
      db,
    );
    return rows;
  }

  private async deliver(push: ClaimedPush, now: Date): Promise<Outcome> {
    const failed: string[] = [];
    let error: NtfyError | undefined;
    for (const topic of push.delivery_topics) {
      try {
        await this.#client!.publish(
          ntfyMessage(
            topic,
            {
              title: push.title,
              message: push.message,
              severity: push.severity,
              link: push.link,
              sourceType: push.source_type,
            },
            this.settings.appUrl,
          ),
        );
      } catch (caught) {
        failed.push(topic);
        error = caught instanceof NtfyError ? caught : new NtfyError(String(caught), true);
      }
    }
    if (!error) {
      return {
        id: push.id,
        status: DeliveryStatus.SENT,
        topics: [],
        error: null,
        nextAt: null,
        deliveredAt: now.toISOString(),
      };
    }
    const message = error.message.slice(0, MAX_ERROR_CHARS);
    if (error.retryable && push.delivery_attempts < this.settings.maxAttempts) {
      const delay = Math.min(MAX_RETRY_MS, this.settings.retryMs * 2 ** (push.delivery_attempts - 1));
      const nextAt = new Date(now.getTime() + delay).toISOString();
      return { id: push.id, status: DeliveryStatus.PENDING, topics: failed, error: message, nextAt, deliveredAt: null };
    }
    this.app.logger.warn({ notificationId: push.id, error: message }, 'push delivery failed for good');
    return {
      id: push.id,
      status: DeliveryStatus.FAILED,
      topics: failed,
      error: message,
      nextAt: null,
      deliveredAt: null,
    };
  }

  private async record(outcomes: Outcome[]): Promise<void> {
    const db = this.app.orm.em.fork().getKysely<DB>();
    await sql`
      update notifications n
         set delivery_status = x.status::notification_delivery_status,
             delivery_topics = coalesce(array(select jsonb_array_elements_text(x.topics)), '{}'),
             delivery_error = x.error,
             next_delivery_at = x.next_at,
             delivered_at = x.delivered_at,
             updated_at = now()
        from unnest(${outcomes.map((o) => o.id)}::uuid[], ${outcomes.map((o) => o.status)}::text[],
                    ${outcomes.map((o) => JSON.stringify(o.topics))}::jsonb[], ${outcomes.map((o) => o.error)}::text[],
                    ${outcomes.map((o) => o.nextAt)}::timestamptz[], ${outcomes.map((o) => o.deliveredAt)}::timestamptz[])
             as x(id, status, topics, error, next_at, delivered_at)
       where n.id = x.id`.execute(db);
  }
}
