import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { toDate } from '../../common/scalars';
import type { DB } from '../../db/tables';
import { ActivityService } from '../activity/activity.service';
import { Goal } from './goal.entity';
import type { QuestOwner } from './pets.service';
import { GOAL_BONUS_XP, GOAL_EVENT_KIND, periodAt, previousPeriod, progressOf, type Period } from './quest-rules';
import type { GoalKind, GoalPeriod, QuestEventKind } from './quest.enums';

/** A goal in one of its periods, to sum the events of. */
export interface GoalPeriodKey {
  goalId: string;
  kind: GoalKind;
  periodKind: GoalPeriod;
  period: Period;
}

export interface GoalPeriodSum {
  /** In the goal's unit (hours for sleep). */
  value: number;
  /** Whether the goal was met (and its bonus given) in that period. */
  completed: boolean;
}

const keyOf = (k: GoalPeriodKey) => `${k.goalId}:${k.period.start.toISOString()}`;

/** The progress of many goals in their periods, in one statement. */
export async function sumGoalPeriods(
  db: Kysely<DB>,
  owner: QuestOwner,
  keys: GoalPeriodKey[],
): Promise<Map<string, GoalPeriodSum>> {
  const result = new Map<string, GoalPeriodSum>();
  if (keys.length === 0) return result;
  const { rows } = await sql<{ key: string; total: number; completed: boolean }>`
    select g.key, coalesce(sum(e.value), 0)::float8 as total,
           exists (select 1 from goal_completions c
                    where c.goal_id = g.goal_id and c.period = g.period and c.period_start = g.starts) as completed
      from unnest(${keys.map(keyOf)}::text[], ${keys.map((k) => k.goalId)}::uuid[],
                  ${keys.map((k) => k.periodKind)}::goal_period[],
                  ${keys.map((k) => GOAL_EVENT_KIND[k.kind])}::text[],
                  ${keys.map((k) => k.period.start.toISOString())}::timestamptz[],
                  ${keys.map((k) => k.period.end.toISOString())}::timestamptz[])
           as g(key, goal_id, period, kind, starts, ends)
      left join quest_events e
        on e.workspace_id = ${owner.workspaceId} and e.user_id = ${owner.userId}
       and e.kind::text = g.kind and e.occurred_at >= g.starts and e.occurred_at < g.ends
     group by g.key, g.goal_id, g.period, g.starts`.execute(db);
  const kindOf = new Map(keys.map((k) => [keyOf(k), k.kind]));
  for (const row of rows) {
    result.set(row.key, { value: progressOf(kindOf.get(row.key)!, Number(row.total)), completed: row.completed });
  }
  return result;
}

export function goalPeriodKey(
  goal: { id: string; kind: GoalKind; period: GoalPeriod },
  period: Period,
): GoalPeriodKey & { key: string } {
  const key = { goalId: goal.id, kind: goal.kind, periodKind: goal.period, period };
  return { ...key, key: keyOf(key) };
}

/** Events that landed, as the goals see them. */
export interface Touched {
  kind: QuestEventKind;
  occurredAt: Date;
}

/**
 * Checks the owner's active goals in the periods the new events fall in (not only the current one:
 * a day's steps may arrive the next morning). A goal met in a period for the first time gets a
 * completion (unique per goal and period, so the bonus is given once), its streak and an activity
 * event. Runs in the caller's transaction; returns the bonus XP for the pets.
 */
export async function checkGoals(
  tx: EntityManager,
  owner: QuestOwner,
  touched: Touched[],
  now: Date,
  onlyGoalId?: string,
): Promise<{ bonusXp: number; met: string[] }> {
  const kinds = new Set(touched.map((t) => t.kind));
  const goals = (
    await tx.find(
      Goal,
      { user: owner.userId, workspace: owner.workspaceId, isActive: true, ...(onlyGoalId ? { id: onlyGoalId } : {}) },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
    )
  ).filter((g) => kinds.has(GOAL_EVENT_KIND[g.kind]));
  if (goals.length === 0) return { bonusXp: 0, met: [] };
  const keys = new Map<string, { goal: Goal; period: Period }>();
  for (const goal of goals) {
    for (const t of touched) {
      if (GOAL_EVENT_KIND[goal.kind] !== t.kind) continue;
      const period = periodAt(goal.period, goal.timeZone, t.occurredAt);
      if (period.start.getTime() > now.getTime()) continue;
      const key = goalPeriodKey(goal, period);
      keys.set(key.key, { goal, period });
    }
  }
  const db = tx.getKysely<DB>();
  const sums = await sumGoalPeriods(
    db,
    owner,
    [...keys.values()].map(({ goal, period }) => goalPeriodKey(goal, period)),
  );
  let bonusXp = 0;
  const met: string[] = [];
  const activity = new ActivityService(tx);
  for (const [key, { goal, period }] of keys) {
    const sum = sums.get(key);
    if (!sum || sum.completed || sum.value < goal.target) continue;
    const bonus = GOAL_BONUS_XP[goal.period];
    const inserted = await db
      .insertInto('goal_completions')
      .values({
        id: uuidv7(),
        workspace_id: owner.workspaceId,
        user_id: owner.userId,
        goal_id: goal.id,
        period: goal.period,
        period_start: period.start,
        period_end: period.end,
        value: sum.value,
        bonus_xp: bonus,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['goal_id', 'period', 'period_start']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) continue;
    bonusXp += bonus;
    met.push(goal.id);
    goal.lastMetAt = now;
    await updateStreak(db, goal);
    activity.build({
      workspaceId: owner.workspaceId,
      userId: owner.userId,
      type: 'quest.goal_met',
      message: `Goal met: ${goal.target} ${goal.kind.toLowerCase().replace('_', ' ')} ${goal.period.toLowerCase()} (streak ${goal.streak})`,
      payload: { goalId: goal.id, periodStart: period.start.toISOString(), value: sum.value, bonusXp: bonus },
      createdAt: now,
    });
  }
  await tx.flush();
  return { bonusXp, met };
}

const STREAK_LOOKBACK = 1000;

/** The streak ending at the goal's latest completed period, and the best one seen. */
async function updateStreak(db: Kysely<DB>, goal: Goal): Promise<void> {
  const rows = await db
    .selectFrom('goal_completions')
    .select('period_start')
    .where('goal_id', '=', goal.id)
    .where('period', '=', goal.period)
    .orderBy('period_start', 'desc')
    .limit(STREAK_LOOKBACK)
    .execute();
  const starts = rows.map((r) => toDate(r.period_start));
  const { latest, best } = streaks(goal.period, goal.timeZone, starts);
  goal.streak = latest;
  goal.bestStreak = Math.max(goal.bestStreak, best, latest);
  goal.streakPeriodStart = starts[0] ?? null;
}

/** Run lengths over period starts sorted newest first: the run at the newest, and the longest. */
export function streaks(period: GoalPeriod, timeZone: string, starts: Date[]): { latest: number; best: number } {
  let latest = 0;
  let best = 0;
  let run = 0;
  let inLatest = true;
  let expected: number | null = null;
  for (const start of starts) {
    const continues = expected !== null && start.getTime() === expected;
    if (expected !== null && !continues) inLatest = false;
    run = continues ? run + 1 : 1;
    if (inLatest) latest = run;
    best = Math.max(best, run);
    expected = previousPeriod(period, timeZone, periodAt(period, timeZone, start)).start.getTime();
  }
  return { latest, best };
}

/** The streak as of `now`: broken once a whole period passed without the goal met. */
export function currentStreak(
  goal: { period: GoalPeriod; timeZone: string; streak: number; streakPeriodStart: Date | string | null },
  now: Date,
): number {
  if (!goal.streakPeriodStart || goal.streak === 0) return 0;
  const last = toDate(goal.streakPeriodStart).getTime();
  const current = periodAt(goal.period, goal.timeZone, now);
  const previous = previousPeriod(goal.period, goal.timeZone, current);
  return last === current.start.getTime() || last === previous.start.getTime() ? goal.streak : 0;
}
