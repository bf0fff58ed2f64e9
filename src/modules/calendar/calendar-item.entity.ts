import type { Rel } from '@mikro-orm/core';
import { Check, Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { CalendarItemStatus, CalendarItemType } from './calendar.enums';

/** An event, task or reminder of one user, possibly recurring (RRULE with EXDATEs). */
@Entity({ tableName: 'calendar_items' })
@Index({ properties: ['user', 'startTime'] })
@Index({ properties: ['workspace', 'startTime'] })
@Check({
  name: 'calendar_items_progress_percent_check',
  expression: 'progress_percent >= 0 and progress_percent <= 100',
})
@Check({
  name: 'calendar_items_end_time_check',
  expression: 'end_time is null or start_time is null or end_time >= start_time',
})
@Check({
  name: 'calendar_items_estimated_duration_check',
  expression: 'estimated_duration is null or estimated_duration >= 0',
})
export class CalendarItem extends BaseEntity<'progressPercent' | 'status' | 'timeZone'> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @Enum({ items: () => CalendarItemType, nativeEnumName: 'calendar_item_type' })
  @Index()
  type!: CalendarItemType;

  @Property({ length: 500 })
  title!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  startTime?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  endTime?: Date | null;

  /** Minutes. */
  @Property({ type: 'integer', nullable: true })
  estimatedDuration?: number | null;

  @Property({ type: 'integer', default: 0 })
  progressPercent = 0;

  /** RFC 5545 `RRULE` and `EXDATE` lines; DTSTART is `startTime` in `timeZone`. */
  @Property({ type: 'text', nullable: true })
  recurrenceRule?: string | null;

  /** IANA time zone the item's wall-clock times (and recurrence) are in. */
  @Property({ length: 64, default: 'UTC' })
  timeZone = 'UTC';

  @Property({ length: 500, nullable: true })
  location?: string | null;

  @Enum({
    items: () => CalendarItemStatus,
    nativeEnumName: 'calendar_item_status',
    default: CalendarItemStatus.PENDING,
  })
  @Index()
  status: CalendarItemStatus = CalendarItemStatus.PENDING;

  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date | null;
}
