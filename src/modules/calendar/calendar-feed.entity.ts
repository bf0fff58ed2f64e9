import type { Rel } from '@mikro-orm/core';
import { Entity, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';

/** A user's secret iCalendar feed address (`/calendar/<token>.ics`); rotating it retires the old one. */
@Entity({ tableName: 'calendar_feeds' })
export class CalendarFeed extends BaseEntity {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade', unique: true })
  user!: Rel<User>;

  @Property({ length: 64, unique: true })
  token!: string;
}
