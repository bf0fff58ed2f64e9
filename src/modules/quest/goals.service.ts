import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { App } from '../../app';
import { paginate, type Connection } from '../../common/pagination';
import type { Reader, ScopedQuery } from '../../common/reader';
import type { Viewer } from '../../context';
import type { DB } from '../../db/tables';
import { Goal } from './goal.entity';
import { checkGoals, goalPeriodKey, sumGoalPeriods } from './goal-tracker';
import { invalidateMetrics } from './metrics-cache';
import { awardXp, ownerOf, publishPets, type QuestOwner } from './pets.service';
import { GOAL_EVENT_KIND, isValidTimeZone, periodAt } from './quest-rules';
import { GoalNotFoundError, InvalidQuestInputError } from './quest.errors';
import type { CreateGoalInput, UpdateGoalInput } from './quest.inputs';
import type { GoalProgressNode, GoalRow } from './quest.types';

const MAX_GOALS = 50;
const MAX_TARGET = 10_000_000;

const selectGoal = (q: ScopedQuery<'goals'>) =>
  q.select([
    'goals.id',
    'goals.kind',
    'goals.target',
    'goals.period',
    'goals.time_zone as timeZone',
    'goals.is_active as isActive',
    'goals.streak as storedStreak',
    'goals.best_streak as bestStreak',
    'goals.streak_period_start as streakPeriodStart',
    'goals.last_met_at as lastMetAt',
    'goals.created_at as createdAt',
    'goals.updated_at as updatedAt',
  ]);

/** The viewer's goals; a goal met gives the pets a bonus once per period (see `goal-tracker.ts`). */
export class GoalsService {
  constructor(
    private readonly app: App,
    private readonly em: EntityManager,
  ) {}

  get(reader: Reader, viewer: Viewer, id: string): Promise<GoalRow | undefined> {
    return selectGoal(reader.from('goals'))
      .where('goals.user_id', '=', viewer.id)
      .where('goals.id', '=', id)
      .executeTakeFirst() as Promise<GoalRow | undefined>;
  }

  async getOrFail(reader: Reader, viewer: Viewer, id: string): Promise<GoalRow> {
    const goal = await this.get(reader, viewer, id);
    if (!goal) throw new GoalNotFoundError(id);
    return goal;
  }

  list(reader: Reader, viewer: Viewer, page: { first: number; after?: string | null }): Promise<Connection<GoalRow>> {
    return paginate({
      query: selectGoal(reader.from('goals')).where('goals.user_id', '=', viewer.id),
      idColumn: 'goals.id',
      sort: { column: 'goals.created_at', field: 'createdAt', direction: 'asc' },
      first: page.first,
      after: page.after ?? null,
    }) as Promise<Connection<GoalRow>>;
  }

  async create(viewer: Viewer, input: CreateGoalInput): Promise<string> {
    const target = validTarget(input.target);
    const timeZone = validZone(input.timeZone ?? 'UTC');
    const count = await this.em.count(Goal, { user: viewer.id });
    if (count >= MAX_GOALS) throw new InvalidQuestInputError(`you can have at most ${MAX_GOALS} goals`);
    return this.write(viewer, async (tx) => {
      const goal = tx.create(Goal, {
        workspace: viewer.workspaceId,
        user: viewer.id,
        kind: input.kind,
        target,
        period: input.period,
        timeZone,
      });
      await tx.flush();
      return goal;
    });
  }

  async update(viewer: Viewer, input: UpdateGoalInput & { id: string }): Promise<void> {
    const target = input.target == null ? null : validTarget(input.target);
    const timeZone = input.timeZone == null ? null : validZone(input.timeZone);
    await this.write(viewer, async (tx) => {
      const goal = await tx.findOne(Goal, { id: input.id, user: viewer.id });
      if (!goal) throw new GoalNotFoundError(input.id);
      if (target !== null) goal.target = target;
      if (input.isActive != null) goal.isActive = input.isActive;
      const newPeriod = input.period != null && input.period !== goal.period;
      const newZone = timeZone !== null && timeZone !== goal.timeZone;
      if (input.period != null) goal.period = input.period;
      if (timeZone !== null) goal.timeZone = timeZone;
      if (newPeriod || newZone) {
        // Periods of another length or zone do not continue the old ones.
        goal.streak = 0;
        goal.streakPeriodStart = null;
      }
      await tx.flush();
      return goal;
    });
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const goal = await this.em.findOne(Goal, { id, user: viewer.id });
    if (!goal) throw new GoalNotFoundError(id);
    await this.em.transactional(async (tx) => {
      tx.remove(tx.getReference(Goal, id));
      await tx.flush();
      await invalidateMetrics(tx.getKysely<DB>(), ownerOf(viewer), this.app.clock());
    });
    return true;
  }

  /**
   * Writes a goal, then checks it in the current period (a goal created or lowered below today's
   * progress is met at once), in one transaction; the dashboard is invalidated.
   */
  private async write(viewer: Viewer, change: (tx: EntityManager) => Promise<Goal>): Promise<string> {
    const owner = ownerOf(viewer);
    const now = this.app.clock();
    const { goalId, petIds } = await this.em.transactional(async (tx) => {
      const goal = await change(tx);
      const met = await checkGoals(tx, owner, [{ kind: GOAL_EVENT_KIND[goal.kind], occurredAt: now }], now, goal.id);
      const pets = await awardXp(tx, owner, { xp: met.bonusXp, lastEventId: null, reason: 'goal met' }, now);
      await invalidateMetrics(tx.getKysely<DB>(), owner, now);
      return { goalId: goal.id, petIds: pets };
    });
    publishPets(this.app, owner, petIds);
    return goalId;
  }
}

/** Progress of many goals in their current periods, one statement per batch. */
export function goalProgressLoader(reader: Reader, owner: QuestOwner, now: Date) {
  return new DataLoader<GoalRow, GoalProgressNode, string>(
    async (goals) => {
      const keys = goals.map((g) => goalPeriodKey(g, periodAt(g.period, g.timeZone, now)));
      const sums = await sumGoalPeriods(reader.db, owner, keys);
      return goals.map((goal, i) => {
        const key = keys[i]!;
        const sum = sums.get(key.key) ?? { value: 0, completed: false };
        return {
          value: sum.value,
          target: goal.target,
          percent: Math.min(100, Math.round((sum.value / goal.target) * 1000) / 10),
          met: sum.value >= goal.target,
          bonusAwarded: sum.completed,
          periodStart: key.period.start,
          periodEnd: key.period.end,
        };
      });
    },
    { cacheKeyFn: (goal) => goal.id },
  );
}

function validTarget(target: number): number {
  if (!Number.isInteger(target) || target < 1 || target > MAX_TARGET) {
    throw new InvalidQuestInputError(`target must be a whole number between 1 and ${MAX_TARGET}`);
  }
  return target;
}

function validZone(zone: string): string {
  if (!isValidTimeZone(zone)) throw new InvalidQuestInputError('timeZone is not a valid IANA time zone');
  return zone;
}
