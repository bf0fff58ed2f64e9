import type { Rel } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from './user.entity';
import { Workspace } from './workspace.entity';

/** A signed-in device: holds the hash of its current (rotating) refresh token. */
@Entity({ tableName: 'sessions' })
export class Session extends BaseEntity<'revokedAt' | 'lastUsedAt' | 'userAgent' | 'ipAddress'> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade', index: true })
  user!: Rel<User>;

  /** SHA-256 of the current refresh token; the token itself is never stored. */
  @Property({ length: 64, unique: true })
  refreshTokenHash!: string;

  @Property({ type: 'timestamptz' })
  @Index()
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  userAgent?: string | null;

  @Property({ type: 'inet', nullable: true, columnType: 'inet' })
  ipAddress?: string | null;
}
