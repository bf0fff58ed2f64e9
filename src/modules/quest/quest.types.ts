import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import { GoalKind, GoalPeriod, QuestEventKind, QuestProvider, RawEventStatus } from './quest.enums';

@ObjectType('QuestEvent', {
  simpleResolvers: true,
  description: 'A commit, merged pull request, closed issue, or day of activity',
})
export class QuestEventNode {
  @Field(() => ID)
  id!: string;

  @Field(() => QuestProvider)
  provider!: QuestProvider;

  @Field(() => QuestEventKind)
  kind!: QuestEventKind;

  @Field({ description: "The provider's id: commit SHA, pull request or issue id, or date" })
  externalId!: string;

  @Field(() => Int, { description: '1 per item; steps, active minutes or minutes asleep for a day' })
  value!: number;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true })
  url!: string | null;

  @Field(() => String, { nullable: true, description: 'owner/name on GitHub' })
  repository!: string | null;

  @Field({ description: "When it happened; a day's totals are at noon UTC of their date" })
  occurredAt!: Date;

  @Field(() => Int, { description: 'XP it gave' })
  xp!: number;

  @Field(() => ID)
  integrationId!: string;

  @Field()
  createdAt!: Date;
}

/** A quest event row with the raw event it came from (hidden). */
export type QuestEventRow = QuestEventNode & { rawEventId: string | null };

export const QuestEventConnection = connectionType(QuestEventNode);

@ObjectType('RawEvent', { simpleResolvers: true, description: 'A webhook delivery or day of sync as received' })
export class RawEventNode {
  @Field(() => ID)
  id!: string;

  @Field(() => QuestProvider)
  provider!: QuestProvider;

  @Field({ description: 'X-GitHub-Event, or daily_summary' })
  eventType!: string;

  @Field({ description: 'X-GitHub-Delivery, or daily:<date>' })
  deliveryId!: string;

  @Field(() => RawEventStatus)
  status!: RawEventStatus;

  @Field(() => String, { nullable: true, description: 'Why it could not be normalised' })
  error!: string | null;

  @Field(() => String, { nullable: true, description: 'What was left out, e.g. commits by other people' })
  note!: string | null;

  @Field(() => Int, { description: 'Quest events it produced' })
  eventCount!: number;

  @Field(() => ID)
  integrationId!: string;

  @Field()
  receivedAt!: Date;

  @Field(() => Date, { nullable: true })
  processedAt!: Date | null;
}

export const RawEventConnection = connectionType(RawEventNode);

@ObjectType('GoalProgress', { simpleResolvers: true, description: 'Progress in the current period' })
export class GoalProgressNode {
  @Field(() => Float, { description: 'In the unit of the goal (hours for SLEEP_HOURS)' })
  value!: number;

  @Field(() => Int)
  target!: number;

  @Field(() => Float, { description: '0–100' })
  percent!: number;

  @Field()
  met!: boolean;

  @Field({ description: 'Whether the bonus of this period was given' })
  bonusAwarded!: boolean;

  @Field()
  periodStart!: Date;

  @Field()
  periodEnd!: Date;
}

@ObjectType('Goal', { simpleResolvers: true })
export class GoalNode {
  @Field(() => ID)
  id!: string;

  @Field(() => GoalKind)
  kind!: GoalKind;

  @Field(() => Int)
  target!: number;

  @Field(() => GoalPeriod)
  period!: GoalPeriod;

  @Field()
  timeZone!: string;

  @Field()
  isActive!: boolean;

  @Field(() => Int, { description: 'Most consecutive periods met' })
  bestStreak!: number;

  @Field(() => Date, { nullable: true })
  lastMetAt!: Date | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

/** A goal row with the stored streak and where it ends, from which the current streak is computed. */
export type GoalRow = GoalNode & { storedStreak: number; streakPeriodStart: Date | string | null };

export const GoalConnection = connectionType(GoalNode);

@ObjectType('QuestDashboard', {
  simpleResolvers: true,
  description: 'Totals of the current day and ISO week in the given time zone, cached until expiresAt or new events',
})
export class QuestDashboardNode {
  @Field()
  timeZone!: string;

  @Field(() => Int)
  commitsToday!: number;

  @Field(() => Int)
  commitsThisWeek!: number;

  @Field(() => Int)
  pullRequestsThisWeek!: number;

  @Field(() => Int)
  issuesClosedThisWeek!: number;

  @Field(() => Int)
  stepsToday!: number;

  @Field(() => Int)
  stepsThisWeek!: number;

  @Field(() => Int)
  activeMinutesToday!: number;

  @Field(() => Int)
  activeMinutesThisWeek!: number;

  @Field(() => Float, { description: 'Hours asleep in the night ending today' })
  sleepHoursToday!: number;

  @Field(() => Int, { description: 'XP from events this week (goal bonuses not included)' })
  xpThisWeek!: number;

  @Field(() => Int, { description: 'Consecutive days with activity, up to today (or yesterday)' })
  activeStreakDays!: number;

  @Field(() => Int, { description: 'Active goals met in their current period' })
  goalsMet!: number;

  @Field(() => Int)
  goalsActive!: number;

  @Field()
  computedAt!: Date;

  @Field()
  expiresAt!: Date;

  @Field({ description: 'Whether this answer came from the cache' })
  fromCache!: boolean;
}
