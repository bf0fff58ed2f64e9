import type { Rel } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { Workspace } from './workspace.entity';
import { Role } from './role';

@Entity({ tableName: 'users' })
export class User extends BaseEntity<'role' | 'lastLoginAt'> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  /** Stored lower-cased, so uniqueness is case-insensitive. */
  @Property({ length: 320, unique: true })
  email!: string;

  @Property({ type: 'text', lazy: true })
  passwordHash!: string;

  @Property({ length: 200 })
  displayName!: string;

  @Enum({ items: () => Role, nativeEnumName: 'user_role', default: Role.MEMBER })
  role: Role = Role.MEMBER;

  @Property({ type: 'timestamptz', nullable: true })
  lastLoginAt?: Date | null;
}
