import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, type Connection } from '../../common/pagination';
import { requireViewer, type Context } from '../../context';
import { ActivityService } from './activity.service';
import { ActivityEventConnection, ActivityEventNode, ActivityFilter } from './activity.types';

@Resolver(() => ActivityEventNode)
export class ActivityResolver {
  @Query(() => ActivityEventConnection, {
    description: "The viewer's activity feed (task runs, trigger firings, sign-ins, …), newest first",
  })
  activity(
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Arg('filter', () => ActivityFilter, { nullable: true }) activityFilter: ActivityFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<ActivityEventNode>> {
    return new ActivityService(ctx.em).list(ctx.reader, requireViewer(ctx), page, activityFilter);
  }

  @FieldResolver(() => GraphQLJSONObject, { description: 'Ids and details of what happened (batched per request)' })
  async payload(@Root() event: ActivityEventNode, @Ctx() ctx: Context): Promise<Record<string, unknown>> {
    const row = await ctx.loaders
      .named('activityPayload', (reader) =>
        reader.loader('activity_events', (q) => q.select(['activity_events.id', 'activity_events.payload'])),
      )
      .load(event.id);
    return row?.payload ?? {};
  }
}
