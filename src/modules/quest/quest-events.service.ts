import DataLoader from 'dataloader';
import { sql } from 'kysely';
import { paginate, type Connection } from '../../common/pagination';
import type { Reader, ScopedQuery } from '../../common/reader';
import type { Viewer } from '../../context';
import type { QuestEventFilter, RawEventFilter } from './quest.inputs';
import type { QuestEventRow, RawEventNode } from './quest.types';

const selectQuestEvent = (q: ScopedQuery<'quest_events'>) =>
  q.select([
    'quest_events.id',
    'quest_events.provider',
    'quest_events.kind',
    'quest_events.external_id as externalId',
    'quest_events.value',
    'quest_events.title',
    'quest_events.url',
    'quest_events.repository',
    'quest_events.occurred_at as occurredAt',
    'quest_events.xp',
    'quest_events.integration_id as integrationId',
    'quest_events.raw_event_id as rawEventId',
    'quest_events.created_at as createdAt',
  ]);

/** The columns of a `RawEvent` node, without its payload (read on demand). */
const selectRawEvent = (q: ScopedQuery<'raw_events'>) =>
  q.select([
    'raw_events.id',
    'raw_events.provider',
    'raw_events.event_type as eventType',
    'raw_events.delivery_id as deliveryId',
    'raw_events.status',
    'raw_events.error',
    'raw_events.note',
    'raw_events.event_count as eventCount',
    'raw_events.integration_id as integrationId',
    'raw_events.received_at as receivedAt',
    'raw_events.processed_at as processedAt',
  ]);

/** The viewer's quest events and the raw events behind them; only the owner sees them. */
export class QuestEventsService {
  list(
    reader: Reader,
    viewer: Viewer,
    page: { first: number; after?: string | null },
    filter: QuestEventFilter | null,
  ): Promise<Connection<QuestEventRow>> {
    let query = selectQuestEvent(reader.from('quest_events')).where('quest_events.user_id', '=', viewer.id);
    if (filter?.kinds?.length) query = query.where('quest_events.kind', 'in', filter.kinds);
    if (filter?.provider) query = query.where('quest_events.provider', '=', filter.provider);
    if (filter?.from) query = query.where('quest_events.occurred_at', '>=', filter.from);
    if (filter?.to) query = query.where('quest_events.occurred_at', '<', filter.to);
    return paginate({
      query,
      idColumn: 'quest_events.id',
      sort: { column: 'quest_events.occurred_at', field: 'occurredAt', direction: 'desc' },
      first: page.first,
      after: page.after ?? null,
    }) as Promise<Connection<QuestEventRow>>;
  }

  rawEvents(
    reader: Reader,
    viewer: Viewer,
    page: { first: number; after?: string | null },
    filter: (RawEventFilter & { integrationId?: string | null }) | null,
  ): Promise<Connection<RawEventNode>> {
    let query = selectRawEvent(reader.from('raw_events')).where('raw_events.user_id', '=', viewer.id);
    if (filter?.provider) query = query.where('raw_events.provider', '=', filter.provider);
    if (filter?.status) query = query.where('raw_events.status', '=', filter.status);
    if (filter?.integrationId) query = query.where('raw_events.integration_id', '=', filter.integrationId);
    return paginate({
      query,
      idColumn: 'raw_events.id',
      sort: { column: 'raw_events.received_at', field: 'receivedAt', direction: 'desc' },
      first: page.first,
      after: page.after ?? null,
    }) as Promise<Connection<RawEventNode>>;
  }

  rawEvent(reader: Reader, viewer: Viewer, id: string): Promise<RawEventNode | undefined> {
    return selectRawEvent(reader.from('raw_events'))
      .where('raw_events.user_id', '=', viewer.id)
      .where('raw_events.id', '=', id)
      .executeTakeFirst() as Promise<RawEventNode | undefined>;
  }
}

/** Raw events by id, the viewer's own, in one query per batch. */
export function rawEventLoader(reader: Reader, userId: string): DataLoader<string, RawEventNode | null> {
  return reader.loader('raw_events', (q) => selectRawEvent(q.where('raw_events.user_id', '=', userId))) as never;
}

/** Payloads of raw events by id, read only when asked for, in one query per batch. */
export function rawPayloadLoader(reader: Reader, userId: string): DataLoader<string, Record<string, unknown> | null> {
  return new DataLoader(async (ids) => {
    const rows = await reader
      .from('raw_events')
      .select(['raw_events.id', 'raw_events.payload'])
      .where('raw_events.user_id', '=', userId)
      .where(sql<boolean>`raw_events.id = any(${ids as string[]}::uuid[])`)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r.payload]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
