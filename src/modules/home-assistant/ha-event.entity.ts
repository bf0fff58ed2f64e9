import type { Rel } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { uuidv7 } from 'uuidv7';
import { Workspace } from '../accounts/workspace.entity';
import { HaConnection } from './ha-connection.entity';

/**
 * One event received from Home Assistant. Rows are written in batches by the ingest (plain SQL,
 * `on conflict do nothing` on the event's identity) and never updated except for their embedding.
 * The similarity index on `embedding_vector` is created by the migration (HNSW, or IVFFlat on
 * pgvector versions without HNSW).
 */
@Entity({ tableName: 'ha_events' })
@Index({ properties: ['connection', 'timestamp', 'id'] })
@Index({ properties: ['connection', 'entityId', 'timestamp'] })
@Index({ properties: ['eventType'] })
@Index({ properties: ['timestamp'] })
@Index({
  name: 'ha_events_identity_unique',
  expression:
    'create unique index "ha_events_identity_unique" on "ha_events" ("connection_id", "context_id", "event_type", "entity_id") nulls not distinct',
})
@Index({
  name: 'ha_events_embedding_index',
  expression:
    'create index "ha_events_embedding_index" on "ha_events" using hnsw ("embedding_vector" vector_cosine_ops)',
})
@Index({
  name: 'ha_events_unembedded_index',
  expression: 'create index "ha_events_unembedded_index" on "ha_events" ("id") where "embedding_vector" is null',
})
export class HaEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => HaConnection, { deleteRule: 'cascade' })
  connection!: Rel<HaConnection>;

  @Property({ length: 100 })
  eventType!: string;

  @Property({ length: 255, nullable: true })
  entityId?: string | null;

  @Property({ type: 'text', nullable: true })
  oldState?: string | null;

  @Property({ type: 'text', nullable: true })
  newState?: string | null;

  /** `state_changed`: the new state's attributes; other events: their data. */
  @Property({ type: 'jsonb', nullable: true })
  attributes?: Record<string, unknown> | null;

  /** Home Assistant's context id of the change. */
  @Property({ length: 64 })
  contextId!: string;

  /** When Home Assistant fired the event. */
  @Property({ type: 'timestamptz' })
  timestamp!: Date;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  processedAt: Date = new Date();

  @Property({ columnType: 'vector(1536)', type: 'string', nullable: true, lazy: true })
  embeddingVector?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
