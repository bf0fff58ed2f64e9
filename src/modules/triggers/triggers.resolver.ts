import { filter, pipe } from '@graphql-yoga/subscription';
import { GraphQLJSONObject } from 'graphql-scalars';
import { sql } from 'kysely';
import type { SubscribeResolverData } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { parseId } from '../../common/ids';
import { projectColumns, projectionKey, requestedFields, type ProjectionSpec } from '../../common/projection';
import { Connection, PageArgs } from '../../common/pagination';
import { Topic, type TriggerFiredPayload } from '../../common/pubsub';
import { createContext, requireViewer, type Context, type Viewer } from '../../context';
import { CalendarItemNotFoundError } from '../calendar/calendar.errors';
import { ownItems } from '../calendar/calendar.service';
import { CalendarItemNode } from '../calendar/calendar.types';
import type { FiredExecution } from './trigger-engine';
import { TriggerNotFoundError } from './triggers.errors';
import { CreateTriggerInput, ReportLocationInput, UpdateTriggerInput } from './triggers.inputs';
import {
  EXECUTION_COLUMNS,
  executionCountLoader,
  executionResultLoader,
  latestExecutionsLoader,
  selectExecution,
  selectTrigger,
  toActionNode,
  toConditionNode,
  TRIGGER_COLUMNS,
  triggerDetailsLoader,
  triggersByItemLoader,
} from './triggers.read';
import { TriggersService } from './triggers.service';
import {
  TriggerActionNode,
  TriggerConditionNode,
  TriggerExecutionConnection,
  TriggerExecutionNode,
  TriggerNode,
} from './triggers.types';

@Resolver(() => TriggerNode)
export class TriggersResolver {
  @Query(() => TriggerNode)
  async trigger(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<TriggerNode> {
    const trigger = await service(ctx).get(ctx.reader, requireViewer(ctx), parseId(id));
    if (!trigger) throw new TriggerNotFoundError(id);
    return trigger;
  }

  @Mutation(() => TriggerNode)
  async createTrigger(
    @Arg('input', () => CreateTriggerInput) input: CreateTriggerInput,
    @Ctx() ctx: Context,
  ): Promise<TriggerNode> {
    const viewer = requireViewer(ctx);
    const trigger = await service(ctx).create(viewer, {
      ...input,
      calendarItemId: parseId(input.calendarItemId, 'calendarItemId'),
    });
    return readTrigger(ctx, viewer, trigger.id);
  }

  @Mutation(() => TriggerNode)
  async updateTrigger(
    @Arg('input', () => UpdateTriggerInput) input: UpdateTriggerInput,
    @Ctx() ctx: Context,
  ): Promise<TriggerNode> {
    const viewer = requireViewer(ctx);
    const trigger = await service(ctx).update(viewer, { ...input, id: parseId(input.id) });
    return readTrigger(ctx, viewer, trigger.id);
  }

  @Mutation(() => Boolean)
  deleteTrigger(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return service(ctx).delete(requireViewer(ctx), parseId(id));
  }

  @Mutation(() => [TriggerExecutionNode], {
    description: 'The device is here: fires the geofences it really entered or left; returns what fired',
  })
  async reportLocation(
    @Arg('input', () => ReportLocationInput) input: ReportLocationInput,
    @Ctx() ctx: Context,
  ): Promise<TriggerExecutionNode[]> {
    return readExecutions(ctx, await service(ctx).reportLocation(requireViewer(ctx), input));
  }

  @Mutation(() => [TriggerExecutionNode], { description: "Fires the viewer's NFC triggers of this tag" })
  async scanNfcTag(@Arg('tagId') tagId: string, @Ctx() ctx: Context): Promise<TriggerExecutionNode[]> {
    return readExecutions(ctx, await service(ctx).scanNfcTag(requireViewer(ctx), tagId));
  }

  @FieldResolver(() => TriggerConditionNode)
  async condition(@Root() trigger: TriggerNode, @Ctx() ctx: Context): Promise<TriggerConditionNode> {
    return toConditionNode((await details(ctx, trigger.id)).triggerConfig);
  }

  @FieldResolver(() => TriggerActionNode)
  async action(@Root() trigger: TriggerNode, @Ctx() ctx: Context): Promise<TriggerActionNode> {
    return toActionNode((await details(ctx, trigger.id)).actionConfig);
  }

  @FieldResolver(() => CalendarItemNode)
  async calendarItem(@Root() trigger: TriggerNode, @Ctx() ctx: Context): Promise<CalendarItemNode> {
    const viewer = requireViewer(ctx);
    const item = await ctx.loaders
      .named(`calendarItem:${viewer.id}`, (reader) => reader.loader('calendar_items', () => ownItems(reader, viewer)))
      .load(trigger.calendarItemId);
    if (!item) throw new CalendarItemNotFoundError(trigger.calendarItemId);
    return item;
  }

  @FieldResolver(() => TriggerExecutionConnection, { description: 'Newest first' })
  async executions(
    @Root() trigger: TriggerNode,
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<TriggerExecutionNode>> {
    if (page.after) return service(ctx).executions(ctx.reader, trigger.id, page.first, page.after);
    // The first page of many triggers at once: one query for all of them, of the asked-for columns.
    const first = Math.max(0, Math.min(page.first, 100));
    const columns = projectColumns(requestedFields(info, ['edges', 'node']), EXECUTION_PROJECTION);
    const rows = await ctx.loaders
      .named(`executions:${first}:${projectionKey(columns)}`, (reader) =>
        latestExecutionsLoader(reader, first, columns),
      )
      .load(trigger.id);
    const nodes = rows.slice(0, first);
    const counts = ctx.loaders.named('executionCount', executionCountLoader);
    return Connection.of(
      nodes,
      rows.length > first,
      (n) => [n.firedAt, n.id],
      () => counts.load(trigger.id),
    );
  }
}

@Resolver(() => CalendarItemNode)
export class CalendarItemTriggersResolver {
  @FieldResolver(() => [TriggerNode])
  triggers(
    @Root() item: CalendarItemNode,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TriggerNode[]> {
    const viewer = requireViewer(ctx);
    // Only the asked-for columns, for every item of the list in one query.
    const columns = projectColumns(requestedFields(info), TRIGGER_PROJECTION);
    return ctx.loaders
      .named(`triggersByItem:${projectionKey(columns)}`, (reader) => triggersByItemLoader(reader, viewer.id, columns))
      .load(item.id);
  }
}

@Resolver(() => TriggerExecutionNode)
export class TriggerExecutionResolver {
  @FieldResolver(() => GraphQLJSONObject, { nullable: true, description: 'What the action did, or its error' })
  async result(@Root() execution: TriggerExecutionNode, @Ctx() ctx: Context): Promise<Record<string, unknown> | null> {
    const row = await ctx.loaders.named('executionResult', executionResultLoader).load(execution.id);
    return row?.result ?? null;
  }

  @FieldResolver(() => TriggerNode)
  async trigger(@Root() execution: TriggerExecutionNode, @Ctx() ctx: Context): Promise<TriggerNode> {
    const viewer = requireViewer(ctx);
    const trigger = await ctx.loaders
      .named(`trigger:${viewer.id}`, (reader) =>
        reader.loader('triggers', (q) => selectTrigger(q).where('triggers.user_id', '=', viewer.id)),
      )
      .load(execution.triggerId);
    if (!trigger) throw new TriggerNotFoundError(execution.triggerId);
    return trigger as TriggerNode;
  }

  @Subscription(() => TriggerExecutionNode, {
    description: "Each firing of the viewer's triggers (of one calendar item, if given)",
    subscribe: ({ context, args }: SubscribeResolverData<unknown, { calendarItemId?: string | null }, Context>) => {
      const viewer = requireViewer(context);
      const itemId = args.calendarItemId ? parseId(args.calendarItemId, 'calendarItemId') : null;
      return pipe(
        context.app.pubSub.subscribe(Topic.TriggerFired),
        filter(
          (p: TriggerFiredPayload) =>
            p.userId === viewer.id && p.workspaceId === viewer.workspaceId && (!itemId || p.calendarItemId === itemId),
        ),
      );
    },
  })
  async triggerFired(
    @Root() payload: TriggerFiredPayload,
    @Arg('calendarItemId', () => ID, { nullable: true }) _calendarItemId: string | null,
    @Ctx() ctx: Context,
  ): Promise<TriggerExecutionNode> {
    const eventCtx = createContext(ctx.app, ctx.viewer, ctx.request);
    const [execution] = await readExecutions(eventCtx, [{ id: payload.executionId }]);
    if (!execution) throw new TriggerNotFoundError(payload.triggerId);
    return execution;
  }
}

async function details(ctx: Context, triggerId: string) {
  const row = await ctx.loaders.named('triggerDetails', triggerDetailsLoader).load(triggerId);
  if (!row) throw new TriggerNotFoundError(triggerId);
  return row;
}

const EXECUTION_PROJECTION: ProjectionSpec<string> = {
  columns: EXECUTION_COLUMNS,
  needs: { trigger: ['triggerId'] },
  always: ['id', 'firedAt', 'triggerId'],
};

const TRIGGER_PROJECTION: ProjectionSpec<string> = { columns: TRIGGER_COLUMNS, always: ['id', 'calendarItemId'] };

function service(ctx: Context): TriggersService {
  return new TriggersService(ctx.app, ctx.em, ctx.app.triggerEngine);
}

async function readTrigger(ctx: Context, viewer: Viewer, id: string): Promise<TriggerNode> {
  const trigger = await service(ctx).get(ctx.reader, viewer, id);
  if (!trigger) throw new TriggerNotFoundError(id);
  return trigger;
}

async function readExecutions(ctx: Context, fired: Array<Pick<FiredExecution, 'id'>>): Promise<TriggerExecutionNode[]> {
  if (fired.length === 0) return [];
  const rows = await selectExecution(ctx.reader.from('trigger_executions'))
    .where(sql<boolean>`trigger_executions.id = any(${fired.map((f) => f.id)}::uuid[])`)
    .orderBy('trigger_executions.id')
    .execute();
  return rows as TriggerExecutionNode[];
}
