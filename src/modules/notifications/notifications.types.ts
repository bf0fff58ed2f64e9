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

  @Field(() => DeliveryStatus)
  deliveryStatus!: DeliveryStatus;

  @Field()
  createdAt!: Date;
}

export const NotificationConnection = connectionType(NotificationNode, 'Notification');
