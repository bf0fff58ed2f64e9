import type { Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { DeliveryStatus, NotificationAudience, NotificationSeverity } from './notification.enums';

@Entity({ tableName: 'notifications' })
@Index({ properties: ['workspace', 'read', 'createdAt'] })
@Index({ properties: ['recipient', 'read', 'createdAt'] })
@Index({
  name: 'notifications_push_due_index',
  expression: `create index "notifications_push_due_index" on "notifications" ("next_delivery_at") where "delivery_status" = 'PENDING'`,
})
export class Notification extends BaseEntity<
  'severity' | 'read' | 'deliveryStatus' | 'audience' | 'data' | 'deliveryTopics' | 'deliveryAttempts'
> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Rel<Workspace>;

  @Enum({ items: () => NotificationAudience, nativeEnumName: 'notification_audience' })
  audience: NotificationAudience = NotificationAudience.USER;

  /** Set when the audience is USER. */
  @ManyToOne(() => User, { deleteRule: 'cascade', nullable: true })
  recipient?: Rel<User> | null;

  @Enum({ items: () => NotificationSeverity, nativeEnumName: 'notification_severity' })
  severity: NotificationSeverity = NotificationSeverity.INFO;

  @Property({ length: 200 })
  title!: string;

  @Property({ type: 'text' })
  message!: string;

  /** Where the notification leads (also the ntfy click URL). */
  @Property({ type: 'text', nullable: true })
  link?: string | null;

  /** What the notification is about, e.g. `workflow`, and its id. */
  @Property({ length: 100, nullable: true })
  sourceType?: string | null;

  @Property({ type: 'uuid', nullable: true })
  sourceId?: string | null;

  @Property({ type: 'jsonb', default: '{}' })
  data: Record<string, unknown> = {};

  @Property({ type: 'boolean', default: false })
  read = false;

  @Property({ type: 'timestamptz', nullable: true })
  readAt?: Date | null;

  @ManyToOne(() => User, { deleteRule: 'set null', nullable: true })
  readBy?: Rel<User> | null;

  @Enum({ items: () => DeliveryStatus, nativeEnumName: 'notification_delivery_status' })
  deliveryStatus: DeliveryStatus = DeliveryStatus.NOT_REQUIRED;

  @Property({ type: 'text', nullable: true })
  deliveryError?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt?: Date | null;

  /** ntfy topics the push has still to reach (set when the notification is written). Never a field. */
  @Property({ type: 'text[]', defaultRaw: `'{}'` })
  deliveryTopics: string[] = [];

  @Property({ type: 'integer', default: 0 })
  deliveryAttempts = 0;

  /** When a PENDING push is (re)tried next. */
  @Property({ type: 'timestamptz', nullable: true })
  nextDeliveryAt?: Date | null;
}
