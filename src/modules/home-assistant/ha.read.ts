import { sql } from 'kysely';
import type { ScopedQuery } from '../../common/reader';
import type { HaConnectionNode, HaEventNode } from './ha.types';

/** The columns of an `HaConnection` node (never the token, nor the lease), aliased to its fields. */
export const selectHaConnection = (q: ScopedQuery<'ha_connections'>) =>
  q.select([
    'ha_connections.id',
    'ha_connections.name',
    'ha_connections.url',
    'ha_connections.status',
    'ha_connections.home_assistant_version as homeAssistantVersion',
    sql<string[]>`coalesce(ha_connections.supported_features, '{}')`.as('supportedFeatures'),
    'ha_connections.event_types as eventTypes',
    'ha_connections.retention_days as retentionDays',
    'ha_connections.is_active as isActive',
    'ha_connections.last_connected_at as lastConnectedAt',
    'ha_connections.last_seen_at as lastSeenAt',
    'ha_connections.last_error as lastError',
    'ha_connections.connection_health as connectionHealth',
    'ha_connections.created_at as createdAt',
    'ha_connections.updated_at as updatedAt',
    'ha_connections.user_id as userId',
  ]);

export type HaConnectionRow = HaConnectionNode & { userId: string };

/** The columns of an `HaEvent` node, aliased to its fields. */
export const selectHaEvent = (q: ScopedQuery<'ha_events'>) =>
  q.select([
    'ha_events.id',
    'ha_events.connection_id as connectionId',
    'ha_events.event_type as eventType',
    'ha_events.entity_id as entityId',
    'ha_events.old_state as oldState',
    'ha_events.new_state as newState',
    'ha_events.attributes',
    'ha_events.context_id as contextId',
    'ha_events.timestamp',
    'ha_events.created_at as createdAt',
  ]);

export type HaEventRow = HaEventNode;
