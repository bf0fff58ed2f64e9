import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { uuidv7 } from 'uuidv7';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';

/** A user-visible entry of the activity feed (sign-ins, task runs, trigger firings, ...). */
@Entity({ tableName: 'activity_events' })
@Index({ properties: ['workspace', 'createdAt'] })
@Index({ properties: ['user', 'createdAt'] })
export class ActivityEvent {
  [OptionalProps]?: 'createdAt' | 'payload';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Rel<Workspace>;

  /** The user the event belongs to (its actor); kept when the user is removed. */
  @ManyToOne(() => User, { deleteRule: 'set null', nullable: true })
  user?: Rel<User> | null;

  @Property({ length: 100 })
  @Index()
  type!: string;

  @Property({ type: 'text', nullable: true })
  message?: string | null;

  @Property({ type: 'jsonb', default: '{}' })
  payload: Record<string, unknown> = {};

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
