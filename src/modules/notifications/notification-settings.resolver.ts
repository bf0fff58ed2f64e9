import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { requireViewer, type Context } from '../../context';
import { NotificationSettingsService } from './notification-settings.service';
import { UpdateNotificationSettingsInput } from './notifications.inputs';
import { NotificationSettingsNode } from './notifications.types';

@Resolver(() => NotificationSettingsNode)
export class NotificationSettingsResolver {
  @Query(() => NotificationSettingsNode, { description: "The viewer's delivery preferences" })
  async notificationSettings(@Ctx() ctx: Context): Promise<NotificationSettingsNode> {
    const topic = await new NotificationSettingsService(ctx.em).topic(ctx.reader, requireViewer(ctx));
    return { ntfyTopic: topic, pushAvailable: ctx.app.push.enabled };
  }

  @Mutation(() => NotificationSettingsNode, {
    description: "Sets the viewer's ntfy topic: their notifications are then pushed to it as well",
  })
  async updateNotificationSettings(
    @Arg('input', () => UpdateNotificationSettingsInput) input: UpdateNotificationSettingsInput,
    @Ctx() ctx: Context,
  ): Promise<NotificationSettingsNode> {
    const viewer = requireViewer(ctx);
    const service = new NotificationSettingsService(ctx.em);
    await service.update(viewer, input);
    return { ntfyTopic: await service.topic(ctx.reader, viewer), pushAvailable: ctx.app.push.enabled };
  }
}
