import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { uuidv7 } from 'uuidv7';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';

/**
 * Security audit trail: sign-ins and their failures, role changes, removals, connection activity.
 * Rows are written once and never updated. A failed sign-in for an unknown email has no workspace
 * or user, so both references are optional.
 */
@Entity({ tableName: 'audit_logs' })
@Index({ properties: ['workspace', 'createdAt'] })
export class AuditLog {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Workspace, { deleteRule: 'cascade', nullable: true })
  workspace?: Rel<Workspace> | null;

  @ManyToOne(() => User, { deleteRule: 'set null', nullable: true, index: true })
  user?: Rel<User> | null;

  @Property({ length: 100 })
  @Index()
  action!: string;

  @Property({ length: 100, nullable: true })
  targetType?: string | null;

  @Property({ type: 'uuid', nullable: true })
  @Index()
  targetId?: string | null;

  @Property({ type: 'boolean' })
  success!: boolean;

  @Property({ type: 'text', nullable: true })
  errorMessage?: string | null;

  @Property({ type: 'inet', columnType: 'inet', nullable: true })
  ipAddress?: string | null;

  @Property({ type: 'text', nullable: true })
  userAgent?: string | null;

  @Property({ type: 'integer', nullable: true })
  durationMs?: number | null;

  @Property({ type: 'jsonb', nullable: true })
  details?: Record<string, unknown> | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Index()
  createdAt: Date = new Date();
}
