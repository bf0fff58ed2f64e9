import type { Rel } from '@mikro-orm/core';
import { Entity, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';

/**
 * Computed metrics of a user, kept until `expiresAt`. Each value is tagged with the `version` of
 * the user's data it was computed from; the row with key `version` holds the current one, raised
 * whenever new events land, so an older value is never served.
 */
@Entity({ tableName: 'metrics_cache' })
@Unique({ properties: ['user', 'key'] })
export class MetricsCache extends BaseEntity<'version'> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @Property({ length: 200 })
  key!: string;

  @Property({ type: 'jsonb' })
  value!: Record<string, unknown>;

  @Property({ type: 'integer', default: 0 })
  version = 0;

  @Property({ type: 'timestamptz' })
  computedAt!: Date;

  /** Null: never expires (the version row). */
  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;
}
