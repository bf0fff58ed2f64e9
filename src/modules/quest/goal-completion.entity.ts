import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { uuidv7 } from 'uuidv7';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { Goal } from './goal.entity';
import { GoalPeriod } from './quest.enums';

/**
 * A period in which a goal was met; unique per goal and period, so its bonus is given once. The
 * kind of period is kept, so a goal changed from daily to weekly counts its weeks apart.
 */
@Entity({ tableName: 'goal_completions' })
@Unique({ properties: ['goal', 'period', 'periodStart'] })
export class GoalCompletion {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade', index: true })
  user!: Rel<User>;

  @ManyToOne(() => Goal, { deleteRule: 'cascade' })
  goal!: Rel<Goal>;

  @Enum({ items: () => GoalPeriod, nativeEnumName: 'goal_period' })
  period!: GoalPeriod;

  @Property({ type: 'timestamptz' })
  periodStart!: Date;

  @Property({ type: 'timestamptz' })
  periodEnd!: Date;

  /** Progress when it was met. */
  @Property({ type: 'double' })
  value!: number;

  @Property({ type: 'integer' })
  bonusXp!: number;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
