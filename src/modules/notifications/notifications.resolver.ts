import { filter, pipe } from '@graphql-yoga/subscription';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { PageArgs, type Connection } from '../../common/pagination';
import { Topic, type NotificationReceivedPayload } from '../../common/pubsub';
import { createContext, requireViewer, type Context } from '../../context';
import { UserNode } from '../accounts/accounts.types';
import { selectNotification } from './notifications.read';
import { NotificationsService } from './notifications.service';
import { NotificationConnection, NotificationNode } from './notifications.types';

@Resolver(() => NotificationNode)
export class NotificationsResolver {
  @Query(() => NotificationConnection, {
    description: "The viewer's notifications (and, for admins, those addressed to the admins), newest first",
  })
  notifications(
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Arg('unreadOnly', { defaultValue: false }) unreadOnly: boolean,
    @Ctx() ctx: Context,
  ): Promise<Connection<NotificationNode>> {
    const viewer = requireViewer(ctx);
    return service(ctx).list(ctx.reader, viewer, page.first, page.after, unreadOnly);
  }

  @FieldResolver(() => UserNode, { nullable: true, description: 'Who marked it read (batched per request)' })
  readBy(@Root() notification: NotificationNode, @Ctx() ctx: Context): Promise<UserNode | null> | null {
    return notification.readById ? ctx.loaders.user.load(notification.readById) : null;
  }

  @Query(() => Int)
  unreadNotificationCount(@Ctx() ctx: Context): Promise<number> {
    return service(ctx).unreadCount(ctx.reader, requireViewer(ctx));
  }

  @Mutation(() => NotificationNode)
  markNotificationRead(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<NotificationNode> {
    return service(ctx).markRead(ctx.reader, requireViewer(ctx), parseId(id));
  }

  @Mutation(() => Int, { description: 'Marks every visible unread notification read; returns how many' })
  markAllNotificationsRead(@Ctx() ctx: Context): Promise<number> {
    return service(ctx).markAllRead(ctx.reader, requireViewer(ctx));
  }

  @Subscription(() => NotificationNode, {
    description: 'Each new notification for the viewer (or for the admins, if the viewer is one)',
    subscribe: ({ context }: SubscribeResolverData<unknown, object, Context>) => {
      const viewer = requireViewer(context);
      return pipe(
        context.app.pubSub.subscribe(Topic.NotificationReceived),
        filter((payload: NotificationReceivedPayload) => NotificationsService.isFor(payload, viewer)),
      );
    },
  })
  async notificationReceived(
    @Root() payload: NotificationReceivedPayload,
    @Ctx() ctx: Context,
  ): Promise<NotificationNode> {
    // Each event is read with a context of its own, so no cache outlives the event.
    const eventCtx = createContext(ctx.app, ctx.viewer, ctx.request);
    const node = await selectNotification(eventCtx.reader.from('notifications'))
      .where('notifications.id', '=', payload.notificationId)
      .executeTakeFirst();
    if (!node) throw new NotFoundError('Notification', payload.notificationId);
    return node;
  }
}

function service(ctx: Context): NotificationsService {
  return new NotificationsService(ctx.em, ctx.app.pubSub);
}
