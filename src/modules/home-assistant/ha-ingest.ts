import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { App } from '../../app';
import { Topic, type HaEventPayload } from '../../common/pubsub';
import { toIsoTimestamp } from '../../common/scalars';
import type { DB } from '../../db/tables';

/** One event as received, before it is stored. */
export interface IncomingHaEvent {
  workspaceId: string;
  userId: string;
  connectionId: string;
  eventType: string;
  entityId: string | null;
  oldState: string | null;
  newState: string | null;
  attributes: Record<string, unknown> | null;
  contextId: string;
  /** ISO 8601, as Home Assistant sent it. */
  timestamp: string;
}

/** An event as stored (new, never a duplicate), with its owner. */
export interface StoredHaEvent {
  workspaceId: string;
  userId: string;
  event: HaEventPayload;
}

export interface IngestOptions {
  flushMs: number;
  batchSize: number;
  /** Called with the events each flush stored (not the duplicates), after they are published. */
  onStored: (events: StoredHaEvent[]) => Promise<void>;
}

/** At most this many events wait in memory while the database is unreachable; older ones go first. */
const MAX_BUFFERED = 200_000;
const RETRY_MS = 1000;

/**
 * Stores received events in batches: one multi-row insert per flush (`unnest` of column arrays),
 * skipping events already stored (the unique identity of connection, context, type and entity),
 * then publishes each new one. One flush runs at a time; what arrives meanwhile waits for the
 * next, so batches grow with the load instead of queries queueing up.
 */
export class HaIngest {
  #buffer: IncomingHaEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly app: App,
    private readonly options: IngestOptions,
  ) {}

  #received = 0;

  get pending(): number {
    return this.#buffer.length;
  }

  /** Whether events are waiting or being stored. */
  get busy(): boolean {
    return this.#buffer.length > 0 || this.#flushing !== undefined;
  }

  /** Events received since start. */
  get received(): number {
    return this.#received;
  }

  push(event: IncomingHaEvent): void {
    if (this.#stopped) return;
    this.#received += 1;
    this.#buffer.push(event);
    if (this.#buffer.length > MAX_BUFFERED) {
      const dropped = this.#buffer.splice(0, this.#buffer.length - MAX_BUFFERED).length;
      this.app.logger.error({ dropped }, 'Home Assistant event buffer full: dropped the oldest events');
    }
    this.schedule(this.#buffer.length >= this.options.batchSize ? 0 : this.options.flushMs);
  }

  /** Stores everything received so far (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.#flushing || this.#buffer.length > 0) {
      if (this.#flushing) await this.#flushing;
      else await this.flushNow();
    }
  }

  async stop(): Promise<void> {
    await this.drain().catch(() => undefined);
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  private schedule(delay: number): void {
    if (this.#flushing) return; // the running flush schedules the next one
    if (this.#timer && delay > 0) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flushNow();
    }, delay);
  }

  private flushNow(): Promise<void> {
    this.#flushing ??= this.flush()
      .catch((error: unknown) => {
        this.app.logger.error({ err: error }, 'storing Home Assistant events failed; retrying');
        return new Promise<void>((resolve) => setTimeout(resolve, RETRY_MS));
      })
      .finally(() => {
        this.#flushing = undefined;
        if (this.#buffer.length > 0 && !this.#stopped) this.schedule(0);
      });
    return this.#flushing;
  }

  private async flush(): Promise<void> {
    const batch = this.#buffer.splice(0, this.options.batchSize);
    if (batch.length === 0) return;
    let stored: StoredHaEvent[];
    try {
      stored = await insertEvents(this.app.orm.em.getKysely<DB>(), batch);
    } catch (error) {
      this.#buffer.unshift(...batch);
      throw error;
    }
    this.app.logger.debug({ received: batch.length, stored: stored.length }, 'stored Home Assistant events');
    publishByOwner(this.app, stored);
    if (stored.length > 0) await this.options.onStored(stored);
  }
}

/** PostgreSQL text cannot hold NUL characters. */
const clean = (value: string | null, max: number) => (value === null ? null : value.replaceAll('\0', '').slice(0, max));

/** One statement for the batch; returns the events it stored, in order. */
async function insertEvents(db: Kysely<DB>, batch: IncomingHaEvent[]): Promise<StoredHaEvent[]> {
  const ids = batch.map(() => uuidv7());
  const rows = batch.map((e) => ({
    eventType: clean(e.eventType, 100)!,
    entityId: clean(e.entityId, 255),
    oldState: clean(e.oldState, 100_000),
    newState: clean(e.newState, 100_000),
    attributes: e.attributes === null ? null : JSON.stringify(e.attributes).replace(/\\u0000/g, ''),
    contextId: clean(e.contextId, 64)!,
  }));
  const result = await sql<{ id: string; created_at: string }>`
    insert into ha_events
      (id, workspace_id, connection_id, event_type, entity_id, old_state, new_state, attributes, context_id, timestamp)
    select * from unnest(
      ${ids}::uuid[], ${batch.map((e) => e.workspaceId)}::uuid[], ${batch.map((e) => e.connectionId)}::uuid[],
      ${rows.map((r) => r.eventType)}::text[], ${rows.map((r) => r.entityId)}::text[],
      ${rows.map((r) => r.oldState)}::text[], ${rows.map((r) => r.newState)}::text[],
      ${rows.map((r) => r.attributes)}::jsonb[], ${rows.map((r) => r.contextId)}::text[],
      ${batch.map((e) => e.timestamp)}::timestamptz[])
    on conflict do nothing
    returning id, created_at`.execute(db);
  const createdAt = new Map(result.rows.map((r) => [r.id, r.created_at]));
  const stored: StoredHaEvent[] = [];
  batch.forEach((e, i) => {
    const id = ids[i]!;
    const created = createdAt.get(id);
    if (created === undefined) return;
    const row = rows[i]!;
    stored.push({
      workspaceId: e.workspaceId,
      userId: e.userId,
      event: {
        id,
        connectionId: e.connectionId,
        eventType: row.eventType,
        entityId: row.entityId,
        oldState: row.oldState,
        newState: row.newState,
        attributes: e.attributes,
        contextId: row.contextId,
        timestamp: new Date(e.timestamp).toISOString(),
        createdAt: toIsoTimestamp(created),
      },
    });
  });
  return stored;
}

/** One message per owner per flush. */
function publishByOwner(app: App, stored: StoredHaEvent[]): void {
  const byOwner = new Map<string, { workspaceId: string; userId: string; events: HaEventPayload[] }>();
  for (const { workspaceId, userId, event } of stored) {
    const key = `${workspaceId}:${userId}`;
    let group = byOwner.get(key);
    if (!group) {
      group = { workspaceId, userId, events: [] };
      byOwner.set(key, group);
    }
    group.events.push(event);
  }
  for (const group of byOwner.values()) app.pubSub.publish(Topic.HaEventsStored, group);
}
