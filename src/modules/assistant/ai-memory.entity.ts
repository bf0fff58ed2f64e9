import type { Rel } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';

/** Something the assistant remembers about its user: given to the AI as context with every prompt. */
@Entity({ tableName: 'ai_memories' })
@Unique({ properties: ['user', 'key'] })
@Index({ properties: ['user', 'category'] })
export class AiMemory extends BaseEntity {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  /** Unique per user. */
  @Property({ length: 200 })
  key!: string;

  @Property({ type: 'text' })
  value!: string;

  @Property({ length: 100, nullable: true })
  category?: string | null;
}
