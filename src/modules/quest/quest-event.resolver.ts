import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { parseId } from '../../common/ids';
import { PageArgs, type Connection } from '../../common/pagination';
import { requireViewer, type Context } from '../../context';
import { rawEventLoader, rawPayloadLoader, QuestEventsService } from './quest-events.service';
import { RawEventNotFoundError } from './quest.errors';
import { QuestEventFilter, RawEventFilter } from './quest.inputs';
import {
  QuestEventConnection,
  QuestEventNode,
  RawEventConnection,
  RawEventNode,
  type QuestEventRow,
} from './quest.types';

@Resolver(() => QuestEventNode)
export class QuestEventResolver {
  @Query(() => QuestEventConnection, { description: "The viewer's quest events, newest first" })
  questEvents(
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Arg('filter', () => QuestEventFilter, { nullable: true }) eventFilter: QuestEventFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<QuestEventRow>> {
    return new QuestEventsService().list(ctx.reader, requireViewer(ctx), page, eventFilter);
  }

  @FieldResolver(() => RawEventNode, { nullable: true, description: 'The delivery or sync it came from' })
  rawEvent(@Root() event: QuestEventRow, @Ctx() ctx: Context): Promise<RawEventNode | null> | null {
    if (!event.rawEventId) return null;
    const viewer = requireViewer(ctx);
    return ctx.loaders.named('quest.rawEvent', (reader) => rawEventLoader(reader, viewer.id)).load(event.rawEventId);
  }
}

@Resolver(() => RawEventNode)
export class RawEventResolver {
  @Query(() => RawEventConnection, { description: "Deliveries and syncs of the viewer's integrations, newest first" })
  rawEvents(
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Arg('filter', () => RawEventFilter, { nullable: true }) rawFilter: RawEventFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<RawEventNode>> {
    const integrationId = rawFilter?.integrationId ? parseId(rawFilter.integrationId, 'integrationId') : null;
    return new QuestEventsService().rawEvents(ctx.reader, requireViewer(ctx), page, { ...rawFilter, integrationId });
  }

  @Query(() => RawEventNode)
  async rawEvent(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<RawEventNode> {
    const row = await new QuestEventsService().rawEvent(ctx.reader, requireViewer(ctx), parseId(id));
    if (!row) throw new RawEventNotFoundError(id);
    return row;
  }

  @FieldResolver(() => GraphQLJSONObject, { description: 'The payload as received (read only when asked for)' })
  async payload(@Root() raw: RawEventNode, @Ctx() ctx: Context): Promise<Record<string, unknown>> {
    const viewer = requireViewer(ctx);
    const loader = ctx.loaders.named('quest.rawPayload', (reader) => rawPayloadLoader(reader, viewer.id));
    return (await loader.load(raw.id)) ?? {};
  }
}
