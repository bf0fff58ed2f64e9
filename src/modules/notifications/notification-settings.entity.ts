import type { Rel } from '@mikro-orm/core';
import { Entity, ManyToOne, OneToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';

/** A user's delivery preferences: where their notifications are pushed besides the app. */
@Entity({ tableName: 'notification_settings' })
export class NotificationSettings extends BaseEntity {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @OneToOne(() => User, { owner: true, deleteRule: 'cascade', unique: true })
  user!: Rel<User>;

  /** ntfy topic their phone subscribes to; null: no push. */
  @Property({ length: 64, nullable: true })
  ntfyTopic?: string | null;
}
