import { filter, pipe } from '@graphql-yoga/subscription';
import type { SubscribeResolverData } from 'type-graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { parseId } from '../../common/ids';
import { PageArgs, type Connection } from '../../common/pagination';
import {
  Topic,
  type HaConnectionStatusChangedPayload,
  type HaEventPayload,
  type HaEventsStoredPayload,
} from '../../common/pubsub';
import { drained } from '../../common/subscription-buffer';
import { createContext, requireViewer, type Context } from '../../context';
import type { DB } from '../../db/tables';
import { HaConnectionsService } from './ha-connections.service';
import { HaEventsService } from './ha-events.service';
import { HaLiveService } from './ha-live.service';
import { metricSeries } from './ha-metrics';
import { HaMetricBucket, HaMetricType } from './ha.enums';
import { HaConnectionNotFoundError, InvalidHaInputError } from './ha.errors';
import { CallHaServiceInput, CreateHaConnectionInput, HaEventFilter, UpdateHaConnectionInput } from './ha.inputs';
import type { HaConnectionRow } from './ha.read';
import {
  HaConnectionConnection,
  HaConnectionNode,
  HaConnectionTestResultNode,
  HaEventConnection,
  HaEventMatchNode,
  HaEventNode,
  HaMetricPointNode,
  HaServiceCallResultNode,
  HaStateNode,
} from './ha.types';

const DEFAULT_SIMILAR = 10;
/** Events a subscriber may have waiting to be sent before it is ended as too slow. */
const MAX_WAITING_EVENTS = 10_000;

@Resolver(() => HaConnectionNode)
export class HaConnectionResolver {
  @Query(() => HaConnectionConnection, { description: "The viewer's Home Assistant connections" })
  haConnections(
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<HaConnectionRow>> {
    return connections(ctx).list(ctx.reader, requireViewer(ctx), page);
  }

  @Query(() => HaConnectionNode)
  haConnection(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<HaConnectionRow> {
    return connections(ctx).getOrFail(ctx.reader, requireViewer(ctx), parseId(id));
  }

  @FieldResolver(() => [HaMetricPointNode], {
    description: 'Health samples in [from, to), averaged per bucket (all four metrics unless a type is given)',
  })
  metrics(
    @Root() connection: HaConnectionNode,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('bucket', () => HaMetricBucket, { nullable: true }) bucket: HaMetricBucket | null,
    @Arg('type', () => HaMetricType, { nullable: true }) type: HaMetricType | null,
    @Ctx() ctx: Context,
  ): Promise<HaMetricPointNode[]> {
    return metricSeries(ctx.em.getKysely<DB>(), ctx.reader.workspaceId, connection.id, {
      types: type ? [type] : null,
      from,
      to,
      bucket: bucket ?? HaMetricBucket.FIVE_MINUTES,
    });
  }

  @Query(() => HaEventConnection, { description: "Events of one of the viewer's connections, newest first" })
  async haEvents(
    @Arg('connectionId', () => ID) connectionId: string,
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Arg('filter', () => HaEventFilter, { nullable: true }) eventFilter: HaEventFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<HaEventNode>> {
    const connection = await connections(ctx).getOrFail(ctx.reader, requireViewer(ctx), parseId(connectionId));
    return new HaEventsService().list(ctx.reader, connection.id, page, eventFilter);
  }

  @Query(() => [HaEventMatchNode], {
    description: "The viewer's events most similar to one event (nearest embeddings first)",
  })
  similarHaEvents(
    @Arg('eventId', () => ID) eventId: string,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('connectionId', () => ID, { nullable: true }) connectionId: string | null,
    @Ctx() ctx: Context,
  ): Promise<HaEventMatchNode[]> {
    return new HaEventsService().similar(
      ctx.reader,
      requireViewer(ctx),
      parseId(eventId, 'eventId'),
      first ?? DEFAULT_SIMILAR,
      connectionId ? parseId(connectionId, 'connectionId') : null,
    );
  }

  @Query(() => [HaStateNode], { description: 'Current states of every entity, asked of Home Assistant now' })
  async haStates(@Arg('connectionId', () => ID) connectionId: string, @Ctx() ctx: Context): Promise<HaStateNode[]> {
    const viewer = requireViewer(ctx);
    const connection = await connections(ctx).getOrFail(ctx.reader, viewer, parseId(connectionId));
    return new HaLiveService(ctx.app).states({ workspaceId: viewer.workspaceId, userId: viewer.id }, connection.id);
  }

  @Mutation(() => HaConnectionNode, { description: 'Adds a Home Assistant instance; it is connected to shortly' })
  async createHaConnection(
    @Arg('input', () => CreateHaConnectionInput) input: CreateHaConnectionInput,
    @Ctx() ctx: Context,
  ): Promise<HaConnectionRow> {
    const viewer = requireViewer(ctx);
    const id = await connections(ctx).create(viewer, input, ctx.request);
    return connections(ctx).getOrFail(ctx.reader, viewer, id);
  }

  @Mutation(() => HaConnectionNode)
  async updateHaConnection(
    @Arg('input', () => UpdateHaConnectionInput) input: UpdateHaConnectionInput,
    @Ctx() ctx: Context,
  ): Promise<HaConnectionRow> {
    const viewer = requireViewer(ctx);
    const id = parseId(input.id);
    await connections(ctx).update(viewer, { ...input, id }, ctx.request);
    return connections(ctx).getOrFail(ctx.reader, viewer, id);
  }

  @Mutation(() => Boolean, { description: 'Deletes a connection with its events and metrics' })
  deleteHaConnection(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return connections(ctx).delete(requireViewer(ctx), parseId(id), ctx.request);
  }

  @Mutation(() => HaConnectionTestResultNode, {
    description: 'Connects, authenticates and reads the configuration; records the version and components',
  })
  async testHaConnection(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<HaConnectionTestResultNode> {
    const viewer = requireViewer(ctx);
    const outcome = await connections(ctx).test(viewer, parseId(id), ctx.request);
    const connection = await connections(ctx).getOrFail(ctx.reader, viewer, parseId(id));
    return { ...outcome, connection };
  }

  @Mutation(() => HaServiceCallResultNode, { description: 'Calls a Home Assistant service (audited)' })
  async callHaService(
    @Arg('input', () => CallHaServiceInput) input: CallHaServiceInput,
    @Ctx() ctx: Context,
  ): Promise<HaServiceCallResultNode> {
    const viewer = requireViewer(ctx);
    const connection = await connections(ctx).getOrFail(
      ctx.reader,
      viewer,
      parseId(input.connectionId, 'connectionId'),
    );
    return new HaLiveService(ctx.app).callService(
      { workspaceId: viewer.workspaceId, userId: viewer.id },
      { ...input, connectionId: connection.id },
      ctx.request,
    );
  }

  @Subscription(() => HaEventNode, {
    description: "Events of the viewer's connections as they are stored (each filter optional)",
    subscribe: ({
      context,
      args,
    }: SubscribeResolverData<
      unknown,
      { connectionId?: string | null; entityId?: string | null; eventType?: string | null },
      Context
    >) => {
      const viewer = requireViewer(context);
      const connectionId = args.connectionId ? parseId(args.connectionId, 'connectionId') : null;
      const { entityId, eventType } = args;
      if ((entityId && entityId.length > 255) || (eventType && eventType.length > 100)) {
        throw new InvalidHaInputError('entityId or eventType too long');
      }
      return drained(
        context.app.pubSub.subscribe(Topic.HaEventsStored),
        (p: HaEventsStoredPayload) =>
          p.userId === viewer.id && p.workspaceId === viewer.workspaceId
            ? p.events.filter(
                (e) =>
                  (!connectionId || e.connectionId === connectionId) &&
                  (!entityId || e.entityId === entityId) &&
                  (!eventType || e.eventType === eventType),
              )
            : [],
        MAX_WAITING_EVENTS,
      );
    },
  })
  haEvent(
    @Root() payload: HaEventPayload,
    @Arg('connectionId', () => ID, { nullable: true }) _connectionId: string | null,
    @Arg('entityId', () => String, { nullable: true }) _entityId: string | null,
    @Arg('eventType', () => String, { nullable: true }) _eventType: string | null,
  ): HaEventNode {
    return payload as unknown as HaEventNode;
  }

  @Subscription(() => HaConnectionNode, {
    description: "Status changes of the viewer's connections (connecting, connected, errors, refused token)",
    subscribe: ({ context }: SubscribeResolverData<unknown, object, Context>) => {
      const viewer = requireViewer(context);
      return pipe(
        context.app.pubSub.subscribe(Topic.HaConnectionStatusChanged),
        filter((p: HaConnectionStatusChangedPayload) => p.userId === viewer.id && p.workspaceId === viewer.workspaceId),
      );
    },
  })
  async haConnectionStatusChanged(
    @Root() payload: HaConnectionStatusChangedPayload,
    @Ctx() ctx: Context,
  ): Promise<HaConnectionRow> {
    const eventCtx = createContext(ctx.app, ctx.viewer, ctx.request);
    const row = await connections(eventCtx).get(eventCtx.reader, requireViewer(eventCtx), payload.connectionId);
    if (!row) throw new HaConnectionNotFoundError(payload.connectionId);
    return { ...row, status: payload.status as HaConnectionRow['status'] };
  }
}

function connections(ctx: Context): HaConnectionsService {
  return new HaConnectionsService(ctx.app, ctx.em);
}
