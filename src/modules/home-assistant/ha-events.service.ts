import { sql } from 'kysely';
import type { Connection } from '../../common/pagination';
import { MAX_PAGE_SIZE, paginate } from '../../common/pagination';
import type { Reader } from '../../common/reader';
import type { Viewer } from '../../context';
import { HaEventNotFoundError, InvalidHaInputError } from './ha.errors';
import type { HaEventFilter } from './ha.inputs';
import { selectHaEvent, type HaEventRow } from './ha.read';
import type { HaEventMatchNode } from './ha.types';

/** How many candidates the vector index may visit for a filtered search (pgvector's ef_search). */
const EF_SEARCH = 100;

/** The event log of the viewer's connections: pages, filters and similarity search. */
export class HaEventsService {
  /** Newest first. The caller has checked the connection is the viewer's. */
  list(
    reader: Reader,
    connectionId: string,
    page: { first: number; after?: string | null },
    filter: HaEventFilter | null,
  ): Promise<Connection<HaEventRow>> {
    let query = selectHaEvent(reader.from('ha_events')).where('ha_events.connection_id', '=', connectionId);
    if (filter?.eventType) query = query.where('ha_events.event_type', '=', filter.eventType);
    if (filter?.entityId) query = query.where('ha_events.entity_id', '=', filter.entityId);
    if (filter?.from) query = query.where('ha_events.timestamp', '>=', filter.from);
    if (filter?.to) query = query.where('ha_events.timestamp', '<', filter.to);
    return paginate({
      query: query as never,
      idColumn: 'ha_events.id',
      sort: { column: 'ha_events.timestamp', field: 'timestamp', direction: 'desc' },
      first: page.first,
      after: page.after ?? null,
    }) as Promise<Connection<HaEventRow>>;
  }

  /**
   * The events nearest to one event by cosine distance of their embeddings, through the vector
   * index (HNSW with iterative scans, so the owner and connection filters still fill the page).
   */
  async similar(reader: Reader, viewer: Viewer, eventId: string, first: number, connectionId: string | null) {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw new InvalidHaInputError(`first must be between 1 and ${MAX_PAGE_SIZE}`);
    }
    const source = await reader
      .from('ha_events')
      .innerJoin('ha_connections as c', 'c.id', 'ha_events.connection_id')
      .select(['ha_events.id', sql<string | null>`ha_events.embedding_vector::text`.as('vector')])
      .where('ha_events.id', '=', eventId)
      .where('c.user_id', '=', viewer.id)
      .executeTakeFirst();
    if (!source) throw new HaEventNotFoundError(eventId);
    if (source.vector === null) return [];
    return reader.db.transaction().execute(async (tx) => {
      await sql`select set_config('hnsw.ef_search', ${String(EF_SEARCH)}, true),
                       set_config('hnsw.iterative_scan', 'relaxed_order', true)`.execute(tx);
      const rows = await sql<HaEventRow & { distance: number }>`
        select * from (
          select e.id, e.connection_id as "connectionId", e.event_type as "eventType", e.entity_id as "entityId",
                 e.old_state as "oldState", e.new_state as "newState", e.attributes, e.context_id as "contextId",
                 e.timestamp, e.created_at as "createdAt",
                 (e.embedding_vector <=> ${source.vector}::vector)::float8 as distance
            from ha_events e
           where e.workspace_id = ${reader.workspaceId}
             and e.connection_id in (select id from ha_connections where user_id = ${viewer.id} and workspace_id = ${reader.workspaceId})
             and (${connectionId}::uuid is null or e.connection_id = ${connectionId}::uuid)
             and e.id <> ${eventId}
             and e.embedding_vector is not null
           order by e.embedding_vector <=> ${source.vector}::vector
           limit ${first}) nearest
        order by distance, id`.execute(tx);
      return rows.rows.map(({ distance, ...event }): HaEventMatchNode => ({ distance, event }));
    });
  }
}
