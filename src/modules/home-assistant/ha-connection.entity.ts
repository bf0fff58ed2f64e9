import type { Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { HaConnectionStatus } from './ha.enums';

/** Latest health figures of a connection, written by its holder with each metrics sample. */
export interface ConnectionHealth {
  latencyMs: number | null;
  uptime: number;
  errorRate: number;
  eventRate: number;
  sampledAt: string;
}

/**
 * A user's Home Assistant instance. The access token is stored sealed (`SecretBox`, bound to the
 * workspace and this row) and never leaves the server. `holder`/`heldUntil` is the lease of the
 * one API instance that keeps the connection open and streams its events.
 */
@Entity({ tableName: 'ha_connections' })
@Unique({ properties: ['user', 'url'] })
@Index({ properties: ['updatedAt'] })
export class HaConnection extends BaseEntity<
  'status' | 'eventTypes' | 'retentionDays' | 'isActive' | 'supportedFeatures'
> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade', index: true })
  user!: Rel<User>;

  @Property({ length: 255 })
  name!: string;

  /** Base URL as given, e.g. `http://homeassistant.local:8123`. */
  @Property({ length: 500 })
  url!: string;

  @Property({ type: 'text', lazy: true })
  encryptedToken!: string;

  @Enum({
    items: () => HaConnectionStatus,
    nativeEnumName: 'ha_connection_status',
    default: HaConnectionStatus.DISCONNECTED,
  })
  @Index()
  status: HaConnectionStatus = HaConnectionStatus.DISCONNECTED;

  @Property({ length: 50, nullable: true })
  homeAssistantVersion?: string | null;

  /** The components Home Assistant reported (`get_config`). */
  @Property({ type: 'text[]', nullable: true })
  supportedFeatures?: string[] | null;

  /** Event types streamed besides `state_changed`. */
  @Property({ type: 'text[]', defaultRaw: `'{state_changed}'` })
  eventTypes: string[] = ['state_changed'];

  @Property({ type: 'integer', default: 90 })
  retentionDays = 90;

  /** False: nobody holds the connection open (it can still be tested and called). */
  @Property({ type: 'boolean', default: true })
  isActive = true;

  @Property({ type: 'timestamptz', nullable: true })
  lastConnectedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastSeenAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'jsonb', nullable: true })
  connectionHealth?: ConnectionHealth | null;

  /** The API instance holding the connection open, until `heldUntil` unless renewed. */
  @Property({ length: 100, nullable: true })
  holder?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  heldUntil?: Date | null;
}
