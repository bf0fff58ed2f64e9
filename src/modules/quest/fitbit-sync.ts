import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { App } from '../../app';
import { toDate } from '../../common/scalars';
import { TENANT_FILTER, type TenantFilterArgs } from '../../db/orm-options';
import type { DB } from '../../db/tables';
import { FitbitClient, type FitbitDay } from './fitbit-client';
import type { IntegrationTokens } from './integration-tokens';
import { publishPets, type QuestOwner } from './pets.service';
import { ingestEvents, type NewQuestEvent } from './quest-ingest';
import { dayInstant, isValidTimeZone, localDate } from './quest-rules';
import { IntegrationStatus, QuestEventKind, QuestProvider, RawEventStatus } from './quest.enums';
import { IntegrationStateError, ProviderError } from './quest.errors';

const CLAIM_BATCH = 20;
const MAX_DAYS = 30;

export interface SyncResult {
  days: number;
  /** Quest events stored or changed. */
  events: number;
  error: string | null;
}

/**
 * Pulls each connected Fitbit account's daily steps, active minutes and sleep. Integrations due are
 * claimed with `for update skip locked` and their next time moved on in the same transaction, so
 * with several instances each sync runs once. A day is stored as one raw event and up to three
 * quest events keyed by its date, replaced when the day is synced again: syncing is idempotent per
 * day, and a day's XP grows with its totals. Each tick also refreshes tokens about to expire.
 */
export class FitbitSync {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;

  constructor(
    private readonly app: App,
    private readonly tokens: IntegrationTokens,
  ) {}

  start(): void {
    const loop = () => {
      if (this.#stopped) return;
      const started = Date.now();
      this.#running = this.tick()
        .catch((error: unknown) => this.app.logger.error({ err: error }, 'quest sync tick failed'))
        .finally(() => {
          const wait = Math.max(0, this.app.config.quest.syncPollMs - (Date.now() - started));
          if (!this.#stopped) this.#timer = setTimeout(loop, wait);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /**
   * Refreshes expiring tokens, then syncs every Fitbit integration due at `now` (only those of
   * `workspaceId` when given: tests sharing a database).
   */
  async tick(now: Date = this.app.clock(), workspaceId?: string): Promise<{ refreshed: number; synced: number }> {
    const refreshed = await this.tokens.refreshExpiring(now, workspaceId);
    let synced = 0;
    for (;;) {
      const ids = await this.claimDue(now, workspaceId);
      for (const id of ids) {
        const result = await this.sync(id, now).catch((error: unknown) => {
          this.app.logger.warn({ err: error, integrationId: id }, 'Fitbit sync failed');
          return null;
        });
        if (result && !result.error) synced += 1;
      }
      if (ids.length < CLAIM_BATCH) return { refreshed, synced };
    }
  }

  private async claimDue(now: Date, workspaceId: string | undefined): Promise<string[]> {
    const next = new Date(now.getTime() + this.app.config.quest.syncIntervalMs);
    return this.app.orm.em.fork().transactional(async (tx) => {
      const db = tx.getKysely<DB>();
      let query = db.selectFrom('integrations').select('id');
      if (workspaceId) query = query.where('workspace_id', '=', workspaceId);
      const rows = await query
        .where('provider', '=', QuestProvider.FITBIT)
        .where('status', '=', IntegrationStatus.CONNECTED)
        .where((eb) => eb.or([eb('next_sync_at', 'is', null), eb('next_sync_at', '<=', now)]))
        .orderBy('next_sync_at')
        .limit(CLAIM_BATCH)
        .forUpdate()
        .skipLocked()
        .execute();
      const ids = rows.map((r) => r.id);
      if (ids.length > 0) {
        await sql`update integrations set next_sync_at = ${next} where id = any(${ids}::uuid[])`.execute(db);
      }
      return ids;
    });
  }

  /** Syncs one Fitbit integration now (also used by `syncIntegration`). */
  async sync(integrationId: string, now: Date = this.app.clock()): Promise<SyncResult> {
    const db = this.app.orm.em.fork().getKysely<DB>();
    const row = await db
      .selectFrom('integrations')
      .select(['id', 'workspace_id', 'user_id', 'status', 'time_zone', 'last_synced_at'])
      .where('id', '=', integrationId)
      .where('provider', '=', QuestProvider.FITBIT)
      .executeTakeFirst();
    if (!row || row.status !== IntegrationStatus.CONNECTED) return { days: 0, events: 0, error: 'not connected' };
    const owner: QuestOwner = { workspaceId: row.workspace_id, userId: row.user_id };
    const zone = row.time_zone && isValidTimeZone(row.time_zone) ? row.time_zone : 'UTC';
    const end = localDate(now, zone);
    const start = firstDay(end, this.app.config.quest.syncDays, row.last_synced_at, zone);
    let days: FitbitDay[];
    try {
      days = await this.read(integrationId, start, end, now);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A refused grant already marked the integration (ERROR, to connect again).
      if (error instanceof IntegrationStateError || (error instanceof ProviderError && error.grantRevoked)) {
        return { days: 0, events: 0, error: message };
      }
      const retry = error instanceof ProviderError && error.retryAfterSeconds ? error.retryAfterSeconds * 1000 : 0;
      const next = new Date(now.getTime() + Math.max(this.app.config.quest.syncIntervalMs, retry));
      await db
        .updateTable('integrations')
        .set({ last_error: message.slice(0, 1000), next_sync_at: next })
        .where('id', '=', integrationId)
        .execute();
      return { days: 0, events: 0, error: message };
    }
    const stored = await this.store(owner, integrationId, days, now);
    return { days: days.length, events: stored, error: null };
  }

  /** The days from Fitbit; a token Fitbit calls expired is refreshed once and the read repeated. */
  private async read(integrationId: string, start: string, end: string, now: Date): Promise<FitbitDay[]> {
    const apiUrl = this.app.config.quest.fitbit.apiUrl;
    const token = await this.tokens.accessToken(integrationId, now);
    try {
      return await new FitbitClient(apiUrl, token).days(start, end);
    } catch (error) {
      if (!(error instanceof ProviderError) || error.status !== 401) throw error;
      const refreshed = await this.tokens.accessToken(integrationId, now, true);
      return new FitbitClient(apiUrl, refreshed).days(start, end);
    }
  }

  private async store(owner: QuestOwner, integrationId: string, days: FitbitDay[], now: Date): Promise<number> {
    const em = this.app.orm.em.fork();
    em.setFilterParams(TENANT_FILTER, { workspaceId: owner.workspaceId } satisfies TenantFilterArgs);
    const result = await em.transactional(async (tx) => {
      const db = tx.getKysely<DB>();
      const events: NewQuestEvent[] = [];
      for (const day of days) {
        const dayEvents = eventsOf(day);
        const failed = day.problems.length > 0;
        const { id: rawEventId } = await db
          .insertInto('raw_events')
          .values({
            id: uuidv7(),
            workspace_id: owner.workspaceId,
            user_id: owner.userId,
            integration_id: integrationId,
            provider: QuestProvider.FITBIT,
            event_type: 'daily_summary',
            delivery_id: `daily:${day.date}`,
            payload: JSON.stringify(day.raw) as never,
            status: failed ? RawEventStatus.FAILED : RawEventStatus.PROCESSED,
            error: failed ? day.problems.join('; ').slice(0, 2000) : null,
            note: null,
            event_count: dayEvents.length,
            received_at: now,
            processed_at: now,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc.columns(['integration_id', 'delivery_id']).doUpdateSet((eb) => ({
              payload: eb.ref('excluded.payload'),
              status: eb.ref('excluded.status'),
              error: eb.ref('excluded.error'),
              event_count: eb.ref('excluded.event_count'),
              received_at: eb.ref('excluded.received_at'),
              processed_at: eb.ref('excluded.processed_at'),
              updated_at: now,
            })),
          )
          .returning('id')
          .executeTakeFirstOrThrow();
        for (const event of dayEvents) events.push({ ...event, rawEventId });
      }
      const stored = await ingestEvents(
        tx,
        { owner, integrationId, provider: QuestProvider.FITBIT, rawEventId: events[0]?.rawEventId ?? uuidv7() },
        events,
        'totals',
        now,
      );
      await db
        .updateTable('integrations')
        .set({ last_synced_at: now, last_error: null, updated_at: now })
        .where('id', '=', integrationId)
        .execute();
      return stored;
    });
    publishPets(this.app, owner, result.petIds);
    return result.stored;
  }
}

/** The quest events of a day: its totals that are above zero. */
function eventsOf(day: FitbitDay): NewQuestEvent[] {
  const at = dayInstant(day.date);
  const totals: Array<[QuestEventKind, number | null]> = [
    [QuestEventKind.STEPS, day.steps],
    [QuestEventKind.ACTIVE_MINUTES, day.activeMinutes],
    [QuestEventKind.SLEEP, day.sleepMinutes],
  ];
  return totals
    .filter((t): t is [QuestEventKind, number] => t[1] !== null && t[1] > 0)
    .map(([kind, value]) => ({ kind, externalId: day.date, value, occurredAt: at, data: { date: day.date } }));
}

/**
 * The first date to read: the last `syncDays` days, reaching back to the day before the last sync
 * after a gap (a day's totals keep growing until it ends), at most 30 days.
 */
function firstDay(end: string, syncDays: number, lastSyncedAt: Date | string | null, zone: string): string {
  const back = (days: number) =>
    new Date(Date.parse(`${end}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
  let start = back(syncDays - 1);
  if (lastSyncedAt) {
    const last = localDate(new Date(toDate(lastSyncedAt).getTime() - 86_400_000), zone);
    if (last < start) start = last;
  }
  const earliest = back(MAX_DAYS - 1);
  return start < earliest ? earliest : start > end ? end : start;
}
