import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { toDate } from '../../common/scalars';
import type { DB } from '../../db/tables';
import { checkGoals } from './goal-tracker';
import { invalidateMetrics } from './metrics-cache';
import { awardXp, type QuestOwner } from './pets.service';
import { xpFor } from './quest-rules';
import type { QuestEventKind, QuestProvider } from './quest.enums';

/** A normalised event, before it is stored. */
export interface NewQuestEvent {
  kind: QuestEventKind;
  /** The provider's identity of the item: commit SHA, pull request or issue id, date. */
  externalId: string;
  value: number;
  title?: string | null;
  url?: string | null;
  repository?: string | null;
  occurredAt: Date;
  data?: Record<string, unknown>;
  /** The raw event it came from, when not the source's. */
  rawEventId?: string;
}

export interface IngestSource {
  owner: QuestOwner;
  integrationId: string;
  provider: QuestProvider;
  rawEventId: string;
}

/**
 * `once`: an event already stored stays as it is (a commit delivered again). `totals`: a day's
 * value is replaced by the newer one, and only an increase gives more XP.
 */
export type IngestMode = 'once' | 'totals';

export interface IngestResult {
  /** Events stored or changed. */
  stored: number;
  /** XP given to each pet, goal bonuses included. */
  xp: number;
  petIds: string[];
  goalsMet: string[];
}

interface Existing {
  id: string;
  kind: QuestEventKind;
  external_id: string;
  value: number;
  xp: number;
}

/**
 * Stores normalised events of one integration and lets them count, in the caller's transaction:
 * new events (and grown day totals) give XP to the owner's pets, goals are checked in the periods
 * the events fall in, and the owner's cached metrics are invalidated. An event already stored is
 * recognised by its identity (integration, kind, provider id), so deliveries and syncs repeat safely.
 */
export async function ingestEvents(
  tx: EntityManager,
  source: IngestSource,
  incoming: NewQuestEvent[],
  mode: IngestMode,
  now: Date,
): Promise<IngestResult> {
  const events = [...new Map(incoming.map((e) => [`${e.kind}:${e.externalId}`, e])).values()];
  const none: IngestResult = { stored: 0, xp: 0, petIds: [], goalsMet: [] };
  if (events.length === 0) return none;
  const db = tx.getKysely<DB>();
  const { rows: existingRows } = await sql<Existing>`
    select q.id, q.kind, q.external_id, q.value, q.xp
      from quest_events q
      join unnest(${events.map((e) => e.kind)}::quest_event_kind[], ${events.map((e) => e.externalId)}::text[])
           as k(kind, external_id) on q.kind = k.kind and q.external_id = k.external_id
     where q.integration_id = ${source.integrationId}
       for update of q`.execute(db);
  const existing = new Map(existingRows.map((r) => [`${r.kind}:${r.external_id}`, r]));

  const fresh: Array<NewQuestEvent & { id: string; xp: number }> = [];
  const grown: Array<{ row: Existing; event: NewQuestEvent; xp: number }> = [];
  for (const event of events) {
    const value = Math.max(0, Math.round(event.value));
    const row = existing.get(`${event.kind}:${event.externalId}`);
    if (!row) fresh.push({ ...event, value, id: uuidv7(), xp: xpFor(event.kind, value) });
    else if (mode === 'totals' && row.value !== value) {
      grown.push({ row, event: { ...event, value }, xp: Math.max(row.xp, xpFor(event.kind, value)) });
    }
  }

  let xp = 0;
  const touched: Array<{ id: string; kind: QuestEventKind; occurredAt: Date }> = [];
  if (fresh.length > 0) {
    const { rows } = await sql<{ id: string; kind: QuestEventKind; xp: number; occurred_at: string }>`
      insert into quest_events (id, workspace_id, user_id, integration_id, raw_event_id, provider, kind, external_id,
                                value, title, url, repository, occurred_at, xp, data)
      select x.id, ${source.owner.workspaceId}, ${source.owner.userId}, ${source.integrationId}, x.raw_event_id,
             ${source.provider}::quest_provider, x.kind::quest_event_kind, x.external_id, x.value, x.title, x.url,
             x.repository, x.occurred_at, x.xp, x.data
        from unnest(${fresh.map((e) => e.id)}::uuid[], ${fresh.map((e) => e.rawEventId ?? source.rawEventId)}::uuid[],
                    ${fresh.map((e) => e.kind)}::text[],
                    ${fresh.map((e) => e.externalId)}::text[], ${fresh.map((e) => e.value)}::int[],
                    ${fresh.map((e) => e.title?.slice(0, 500) ?? null)}::text[], ${fresh.map((e) => e.url ?? null)}::text[],
                    ${fresh.map((e) => e.repository?.slice(0, 255) ?? null)}::text[],
                    ${fresh.map((e) => e.occurredAt.toISOString())}::timestamptz[], ${fresh.map((e) => e.xp)}::int[],
                    ${fresh.map((e) => JSON.stringify(e.data ?? {}))}::jsonb[])
             as x(id, raw_event_id, kind, external_id, value, title, url, repository, occurred_at, xp, data)
      on conflict (integration_id, kind, external_id) do nothing
      returning id, kind, xp, occurred_at`.execute(db);
    for (const row of rows) {
      xp += row.xp;
      touched.push({ id: row.id, kind: row.kind, occurredAt: toDate(row.occurred_at) });
    }
  }
  if (grown.length > 0) {
    await sql`
      update quest_events q
         set value = x.value, xp = x.xp, data = x.data, raw_event_id = x.raw_event_id, updated_at = now()
        from unnest(${grown.map((g) => g.row.id)}::uuid[], ${grown.map((g) => g.event.value)}::int[],
                    ${grown.map((g) => g.xp)}::int[], ${grown.map((g) => JSON.stringify(g.event.data ?? {}))}::jsonb[],
                    ${grown.map((g) => g.event.rawEventId ?? source.rawEventId)}::uuid[])
             as x(id, value, xp, data, raw_event_id)
       where q.id = x.id`.execute(db);
    for (const g of grown) {
      xp += g.xp - g.row.xp;
      touched.push({ id: g.row.id, kind: g.row.kind, occurredAt: g.event.occurredAt });
    }
  }
  if (touched.length === 0) return none;

  const goals = await checkGoals(tx, source.owner, touched, now);
  const newest = touched.reduce((a, b) => (b.occurredAt.getTime() >= a.occurredAt.getTime() ? b : a));
  const petIds = await awardXp(
    tx,
    source.owner,
    { xp: xp + goals.bonusXp, lastEventId: newest.id, reason: describe(touched) },
    now,
  );
  await invalidateMetrics(db, source.owner, now);
  return { stored: touched.length, xp: xp + goals.bonusXp, petIds, goalsMet: goals.met };
}

/** `3 COMMIT, 1 PULL_REQUEST_MERGED` */
function describe(events: Array<{ kind: QuestEventKind }>): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
}
