import { Field, ID, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import { DeliveryStatus, NotificationAudience, NotificationSeverity } from './notification.enums';

@ObjectType('Notification', { simpleResolvers: true })
export class NotificationNode {
  @Field(() => ID)
  id!: string;

  @Field(() => NotificationAudience)
  audience!: NotificationAudience;

  @Field(() => NotificationSeverity)
  severity!: NotificationSeverity;

  @Field()
  title!: string;

  @Field()
  message!: string;

  @Field(() => String, { nullable: true })
  link!: string | null;

  @Field(() => String, { nullable: true })
  sourceType!: string | null;

  @Field(() => ID, { nullable: true })
  sourceId!: string | null;

  @Field()
  read!: boolean;

  @Field(() => Date, { nullable: true })
  readAt!: Date | null;

  /** Not a GraphQL field: resolves `readBy`. */
  readById!: string | null;

  @Field(() => DeliveryStatus, { description: 'Push (ntfy) delivery; the in-app notification is there in any case' })
  deliveryStatus!: DeliveryStatus;

  @Field(() => String, { nullable: true, description: 'Why the last push attempt failed' })
  deliveryError!: string | null;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;

  @Field()
  createdAt!: Date;
}

export const NotificationConnection = connectionType(NotificationNode, 'Notification');

@ObjectType('NotificationSettings', { simpleResolvers: true })
export class NotificationSettingsNode {
  @Field(() => String, {
    nullable: true,
    description: "ntfy topic the viewer's notifications are pushed to (their phone subscribes to it)",
  })
  ntfyTopic!: string | null;

  @Field({ description: 'Whether this server pushes notifications to ntfy at all (NTFY_URL is set)' })
  pushAvailable!: boolean;
}
