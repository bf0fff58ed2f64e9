import type { Rel } from '@mikro-orm/core';
import { Check, Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { GoalKind, GoalPeriod } from './quest.enums';

/** A target for a period (e.g. 10 000 steps a day); periods are days or ISO weeks in `timeZone`. */
@Entity({ tableName: 'goals' })
@Index({ properties: ['user', 'createdAt'] })
@Check({ name: 'goals_target_check', expression: 'target > 0' })
@Check({ name: 'goals_streak_check', expression: 'streak >= 0 and best_streak >= streak' })
export class Goal extends BaseEntity<'isActive' | 'streak' | 'bestStreak' | 'timeZone'> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @Enum({ items: () => GoalKind, nativeEnumName: 'goal_kind' })
  kind!: GoalKind;

  /** Count, steps, minutes or hours per period, by kind. */
  @Property({ type: 'integer' })
  target!: number;

  @Enum({ items: () => GoalPeriod, nativeEnumName: 'goal_period' })
  period!: GoalPeriod;

  @Property({ length: 64, default: 'UTC' })
  timeZone = 'UTC';

  @Property({ type: 'boolean', default: true })
  isActive = true;

  /** Consecutive periods met, up to `streakPeriodStart`. */
  @Property({ type: 'integer', default: 0 })
  streak = 0;

  @Property({ type: 'integer', default: 0 })
  bestStreak = 0;

  /** Start of the latest period met (the end of the streak). */
  @Property({ type: 'timestamptz', nullable: true })
  streakPeriodStart?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastMetAt?: Date | null;
}
