import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { parseId } from '../../common/ids';
import { PageArgs, type Connection } from '../../common/pagination';
import { requireViewer, type Context } from '../../context';
import type { DB } from '../../db/tables';
import { DashboardService } from './dashboard.service';
import { currentStreak } from './goal-tracker';
import { goalProgressLoader, GoalsService } from './goals.service';
import { ownerOf } from './pets.service';
import { CreateGoalInput, UpdateGoalInput } from './quest.inputs';
import { GoalConnection, GoalNode, GoalProgressNode, QuestDashboardNode, type GoalRow } from './quest.types';

@Resolver(() => GoalNode)
export class GoalResolver {
  @Query(() => GoalConnection, { description: "The viewer's goals" })
  goals(@Args(() => PageArgs, { validate: false }) page: PageArgs, @Ctx() ctx: Context): Promise<Connection<GoalRow>> {
    return goals(ctx).list(ctx.reader, requireViewer(ctx), page);
  }

  @Query(() => GoalNode)
  goal(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<GoalRow> {
    return goals(ctx).getOrFail(ctx.reader, requireViewer(ctx), parseId(id));
  }

  @FieldResolver(() => GoalProgressNode)
  progress(@Root() goal: GoalRow, @Ctx() ctx: Context): Promise<GoalProgressNode> {
    const viewer = requireViewer(ctx);
    const now = ctx.app.clock();
    return ctx.loaders
      .named('quest.goalProgress', (reader) => goalProgressLoader(reader, ownerOf(viewer), now))
      .load(goal);
  }

  @FieldResolver(() => Int, { description: 'Consecutive periods met, up to this one or the one before' })
  streak(@Root() goal: GoalRow, @Ctx() ctx: Context): number {
    return currentStreak({ ...goal, streak: goal.storedStreak }, ctx.app.clock());
  }

  @Mutation(() => GoalNode, { description: 'A goal; met in the current period already, it gives its bonus at once' })
  async createGoal(@Arg('input', () => CreateGoalInput) input: CreateGoalInput, @Ctx() ctx: Context): Promise<GoalRow> {
    const viewer = requireViewer(ctx);
    const id = await goals(ctx).create(viewer, input);
    return goals(ctx).getOrFail(ctx.reader, viewer, id);
  }

  @Mutation(() => GoalNode)
  async updateGoal(@Arg('input', () => UpdateGoalInput) input: UpdateGoalInput, @Ctx() ctx: Context): Promise<GoalRow> {
    const viewer = requireViewer(ctx);
    const id = parseId(input.id);
    await goals(ctx).update(viewer, { ...input, id });
    return goals(ctx).getOrFail(ctx.reader, viewer, id);
  }

  @Mutation(() => Boolean)
  deleteGoal(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return goals(ctx).delete(requireViewer(ctx), parseId(id));
  }

  @Query(() => QuestDashboardNode, {
    description: "The viewer's totals for today and this week in timeZone (default UTC), cached",
  })
  questDashboard(
    @Arg('timeZone', () => String, { nullable: true }) timeZone: string | null,
    @Ctx() ctx: Context,
  ): Promise<QuestDashboardNode> {
    const viewer = requireViewer(ctx);
    return new DashboardService(ctx.app, ctx.em.getKysely<DB>()).get(ownerOf(viewer), timeZone ?? 'UTC');
  }
}

function goals(ctx: Context): GoalsService {
  return new GoalsService(ctx.app, ctx.em);
}
