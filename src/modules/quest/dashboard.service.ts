import { sql, type Kysely } from 'kysely';
import type { App } from '../../app';
import { toDate } from '../../common/scalars';
import type { DB } from '../../db/tables';
import { goalPeriodKey, sumGoalPeriods } from './goal-tracker';
import { readCached, storeCached } from './metrics-cache';
import type { QuestOwner } from './pets.service';
import { isValidTimeZone, localDate, periodAt } from './quest-rules';
import { GoalPeriod, QuestEventKind } from './quest.enums';
import { InvalidQuestInputError } from './quest.errors';
import type { QuestDashboardNode } from './quest.types';

type Metrics = Omit<QuestDashboardNode, 'computedAt' | 'expiresAt' | 'fromCache'>;

/** How far back the activity streak is counted. */
const STREAK_WINDOW_DAYS = 366;

/**
 * The quest dashboard, served from `metrics_cache` while it is valid: until its TTL (or the end
 * of the day) passes, or new events or goal changes invalidate it. Computing it reads only the
 * current week, a bounded window of days and the goals, so its cost does not grow with history.
 */
export class DashboardService {
  constructor(
    private readonly app: App,
    private readonly db: Kysely<DB>,
  ) {}

  async get(owner: QuestOwner, timeZone: string): Promise<QuestDashboardNode> {
    if (!isValidTimeZone(timeZone)) throw new InvalidQuestInputError('timeZone is not a valid IANA time zone');
    const now = this.app.clock();
    const key = `dashboard:${timeZone}`;
    const { cached, version } = await readCached(this.db, owner, key, now);
    if (cached) {
      return {
        ...(cached.value as Metrics),
        computedAt: toDate(cached.computedAt),
        expiresAt: toDate(cached.expiresAt),
        fromCache: true,
      };
    }
    const metrics = await this.compute(owner, timeZone, now);
    const today = periodAt(GoalPeriod.DAILY, timeZone, now);
    const expiresAt = new Date(Math.min(now.getTime() + this.app.config.quest.dashboardTtlMs, today.end.getTime()));
    await storeCached(this.db, owner, key, { value: { ...metrics }, version, computedAt: now, expiresAt });
    return { ...metrics, computedAt: now, expiresAt, fromCache: false };
  }

  private async compute(owner: QuestOwner, timeZone: string, now: Date): Promise<Metrics> {
    const today = periodAt(GoalPeriod.DAILY, timeZone, now);
    const week = periodAt(GoalPeriod.WEEKLY, timeZone, now);
    const [totals, streak, goals] = await Promise.all([
      this.totals(owner, today.start, week.start, week.end),
      this.activeStreak(owner, timeZone, now, today.end),
      this.goals(owner, now),
    ]);
    const of = (kind: QuestEventKind) => totals.get(kind) ?? { today: 0, week: 0, xp: 0 };
    return {
      timeZone,
      commitsToday: of(QuestEventKind.COMMIT).today,
      commitsThisWeek: of(QuestEventKind.COMMIT).week,
      pullRequestsThisWeek: of(QuestEventKind.PULL_REQUEST_MERGED).week,
      issuesClosedThisWeek: of(QuestEventKind.ISSUE_CLOSED).week,
      stepsToday: of(QuestEventKind.STEPS).today,
      stepsThisWeek: of(QuestEventKind.STEPS).week,
      activeMinutesToday: of(QuestEventKind.ACTIVE_MINUTES).today,
      activeMinutesThisWeek: of(QuestEventKind.ACTIVE_MINUTES).week,
      sleepHoursToday: Math.round((of(QuestEventKind.SLEEP).today / 60) * 100) / 100,
      xpThisWeek: [...totals.values()].reduce((sum, t) => sum + t.xp, 0),
      activeStreakDays: streak,
      goalsMet: goals.met,
      goalsActive: goals.active,
    };
  }

  /** Sums per kind for today and this week, one statement over this week's events. */
  private async totals(owner: QuestOwner, todayStart: Date, weekStart: Date, weekEnd: Date) {
    const { rows } = await sql<{ kind: QuestEventKind; today: number; week: number; xp: number }>`
      select kind,
             coalesce(sum(value) filter (where occurred_at >= ${todayStart}), 0)::float8 as today,
             coalesce(sum(value), 0)::float8 as week,
             coalesce(sum(xp), 0)::float8 as xp
        from quest_events
       where workspace_id = ${owner.workspaceId} and user_id = ${owner.userId}
         and occurred_at >= ${weekStart} and occurred_at < ${weekEnd}
       group by kind`.execute(this.db);
    return new Map(rows.map((r) => [r.kind, { today: Number(r.today), week: Number(r.week), xp: Number(r.xp) }]));
  }

  /** Consecutive days with at least one event, ending today (or yesterday, if today has none yet). */
  private async activeStreak(owner: QuestOwner, timeZone: string, now: Date, todayEnd: Date): Promise<number> {
    const from = new Date(todayEnd.getTime() - (STREAK_WINDOW_DAYS + 1) * 86_400_000);
    const { rows } = await sql<{ day: string }>`
      select distinct to_char(occurred_at at time zone ${timeZone}, 'YYYY-MM-DD') as day
        from quest_events
       where workspace_id = ${owner.workspaceId} and user_id = ${owner.userId}
         and occurred_at >= ${from} and occurred_at < ${todayEnd}
       order by day desc`.execute(this.db);
    const days = new Set(rows.map((r) => r.day));
    let day = localDate(now, timeZone);
    if (!days.has(day)) day = previousDate(day);
    let streak = 0;
    while (days.has(day) && streak <= STREAK_WINDOW_DAYS) {
      streak += 1;
      day = previousDate(day);
    }
    return streak;
  }

  private async goals(owner: QuestOwner, now: Date): Promise<{ met: number; active: number }> {
    const goals = await this.db
      .selectFrom('goals')
      .select(['id', 'kind', 'target', 'period', 'time_zone'])
      .where('workspace_id', '=', owner.workspaceId)
      .where('user_id', '=', owner.userId)
      .where('is_active', '=', true)
      .execute();
    const keys = goals.map((g) => goalPeriodKey(g, periodAt(g.period, g.time_zone, now)));
    const sums = await sumGoalPeriods(this.db, owner, keys);
    const met = goals.filter((g, i) => (sums.get(keys[i]!.key)?.value ?? 0) >= g.target).length;
    return { met, active: goals.length };
  }
}

function previousDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
