import { filter, pipe } from '@graphql-yoga/subscription';
import type { SubscribeResolverData } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { parseId } from '../../common/ids';
import { requestedFields } from '../../common/projection';
import { PageArgs, type Connection } from '../../common/pagination';
import { Topic, type CalendarItemChangedPayload } from '../../common/pubsub';
import { createContext, requireViewer, type Context } from '../../context';
import { UserNode } from '../accounts/accounts.types';
import { TriggersService } from '../triggers/triggers.service';
import type { DB } from '../../db/tables';
import { CalendarFeedService } from './calendar-feed.service';
import { CalendarItemNotFoundError } from './calendar.errors';
import {
  CalendarItemFilter,
  CalendarItemOrder,
  CreateCalendarItemInput,
  UpdateCalendarItemInput,
} from './calendar.inputs';
import { CalendarService, toCalendarItemNode } from './calendar.service';
import {
  AgendaEntryNode,
  CalendarItemChange,
  CalendarItemChangedNode,
  CalendarItemConnection,
  CalendarItemNode,
  OccurrenceNode,
} from './calendar.types';

@Resolver(() => CalendarItemNode)
export class CalendarResolver {
  @Query(() => CalendarItemNode)
  async calendarItem(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<CalendarItemNode> {
    const item = await calendar(ctx).get(ctx.reader, requireViewer(ctx), parseId(id));
    if (!item) throw new CalendarItemNotFoundError(id);
    return item;
  }

  @Query(() => CalendarItemConnection, { description: "The viewer's calendar items" })
  calendarItems(
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Arg('filter', () => CalendarItemFilter, { nullable: true }) itemFilter: CalendarItemFilter | null,
    @Arg('orderBy', () => CalendarItemOrder, { nullable: true }) orderBy: CalendarItemOrder | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<CalendarItemNode>> {
    const requested = requestedFields(info, ['edges', 'node']);
    return calendar(ctx).list(ctx.reader, requireViewer(ctx), page, itemFilter, orderBy, requested);
  }

  @Query(() => [AgendaEntryNode], {
    description: "Every occurrence of the viewer's items in [from, to), in order (at most 366 days)",
  })
  agenda(@Arg('from') from: Date, @Arg('to') to: Date, @Ctx() ctx: Context): Promise<AgendaEntryNode[]> {
    return calendar(ctx).agenda(ctx.reader, requireViewer(ctx), from, to);
  }

  @Query(() => String, {
    description:
      "Secret address of the viewer's iCalendar feed (created on first use); anyone with it can read the feed",
  })
  calendarFeedUrl(@Ctx() ctx: Context): Promise<string> {
    return new CalendarFeedService(ctx.em.getKysely<DB>()).url(requireViewer(ctx), ctx.request.baseUrl);
  }

  @Mutation(() => String, { description: 'A new feed address; the old one stops working' })
  rotateCalendarFeedUrl(@Ctx() ctx: Context): Promise<string> {
    return new CalendarFeedService(ctx.em.getKysely<DB>()).rotate(requireViewer(ctx), ctx.request.baseUrl);
  }

  @FieldResolver(() => [OccurrenceNode], { description: 'Occurrences overlapping [from, to)' })
  occurrences(
    @Root() item: CalendarItemNode,
    @Arg('from') from: Date,
    @Arg('to') to: Date,
    @Ctx() ctx: Context,
  ): OccurrenceNode[] {
    return calendar(ctx).occurrences(item, from, to);
  }

  @FieldResolver(() => UserNode)
  async owner(@Root() item: CalendarItemNode, @Ctx() ctx: Context): Promise<UserNode> {
    const user = await ctx.loaders.user.load(item.userId);
    if (!user) throw new CalendarItemNotFoundError(item.id);
    return user;
  }

  @Mutation(() => CalendarItemNode)
  async createCalendarItem(
    @Arg('input', () => CreateCalendarItemInput) input: CreateCalendarItemInput,
    @Ctx() ctx: Context,
  ): Promise<CalendarItemNode> {
    return toCalendarItemNode(await calendar(ctx).create(requireViewer(ctx), input));
  }

  @Mutation(() => CalendarItemNode, {
    description: 'Changes an item; a progress crossing a PROGRESS threshold upwards fires that trigger',
  })
  async updateCalendarItem(
    @Arg('input', () => UpdateCalendarItemInput) input: UpdateCalendarItemInput,
    @Ctx() ctx: Context,
  ): Promise<CalendarItemNode> {
    const viewer = requireViewer(ctx);
    const update = await calendar(ctx).update(viewer, { ...input, id: parseId(input.id) });
    const triggers = new TriggersService(ctx.app, ctx.em, ctx.app.triggerEngine);
    if (update.timingChanged) await triggers.itemTimingChanged(update.item);
    await triggers.progressChanged(viewer, update.item, update.previousProgress);
    return toCalendarItemNode(update.item);
  }

  @Mutation(() => Boolean, { description: 'Deletes an item with its triggers and their executions' })
  deleteCalendarItem(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return calendar(ctx).delete(requireViewer(ctx), parseId(id));
  }

  @Subscription(() => CalendarItemChangedNode, {
    description: "Each creation, change and deletion of the viewer's calendar items",
    subscribe: ({ context }: SubscribeResolverData<unknown, object, Context>) => {
      const viewer = requireViewer(context);
      return pipe(
        context.app.pubSub.subscribe(Topic.CalendarItemChanged),
        filter((payload: CalendarItemChangedPayload) => payload.userId === viewer.id),
      );
    },
  })
  async calendarItemChanged(
    @Root() payload: CalendarItemChangedPayload,
    @Ctx() ctx: Context,
  ): Promise<CalendarItemChangedNode> {
    const change = payload.change as CalendarItemChange;
    if (change === CalendarItemChange.DELETED) return { change, id: payload.itemId, item: null };
    const eventCtx = createContext(ctx.app, ctx.viewer, ctx.request);
    const item = await calendar(eventCtx).get(eventCtx.reader, requireViewer(eventCtx), payload.itemId);
    return { change, id: payload.itemId, item: item ?? null };
  }
}

function calendar(ctx: Context): CalendarService {
  return new CalendarService(ctx.em, ctx.app.pubSub);
}
