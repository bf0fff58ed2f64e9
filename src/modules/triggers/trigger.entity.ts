import type { Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { CalendarItem } from '../calendar/calendar-item.entity';
import type { ActionConfig, TriggerConfig, TriggerState } from './trigger.config';
import { MissedFirePolicy, TriggerType } from './trigger.enums';

/** A condition on a calendar item (time, place, progress, NFC tag) and the action it runs. */
@Entity({ tableName: 'triggers' })
@Index({
  name: 'triggers_due_index',
  expression:
    'create index "triggers_due_index" on "triggers" ("next_fire_at") where "is_active" and "next_fire_at" is not null',
})
@Index({ properties: ['user', 'triggerType'] })
@Index({ properties: ['workspace', 'nfcTagId'] })
@Index({ properties: ['haEntityKey'] })
export class Trigger extends BaseEntity<'isActive' | 'missedPolicy' | 'state'> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Rel<Workspace>;

  /** The owner (the item's user). */
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @ManyToOne(() => CalendarItem, { deleteRule: 'cascade', index: true })
  calendarItem!: Rel<CalendarItem>;

  @Enum({ items: () => TriggerType, nativeEnumName: 'trigger_type' })
  triggerType!: TriggerType;

  @Property({ type: 'jsonb' })
  triggerConfig!: TriggerConfig;

  @Property({ type: 'jsonb' })
  action!: ActionConfig;

  @Property({ type: 'boolean', default: true })
  isActive = true;

  @Property({ type: 'timestamptz', nullable: true })
  lastFiredAt?: Date | null;

  /** TIME triggers: when they fire next (null when nothing is left to fire). */
  @Property({ type: 'timestamptz', nullable: true })
  nextFireAt?: Date | null;

  @Enum({
    items: () => MissedFirePolicy,
    nativeEnumName: 'missed_fire_policy',
    default: MissedFirePolicy.FIRE_ONCE_LATE,
  })
  missedPolicy: MissedFirePolicy = MissedFirePolicy.FIRE_ONCE_LATE;

  /** NFC triggers: the normalised tag id, for lookup on a scan. */
  @Property({ length: 64, nullable: true })
  nfcTagId?: string | null;

  /** HA_STATE triggers: `<connection id>:<entity id>`, for lookup on each ingested change. */
  @Property({ length: 300, nullable: true })
  haEntityKey?: string | null;

  @Property({ type: 'jsonb', default: '{}' })
  state: TriggerState = {};
}
