import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type ExpressionBuilder } from 'kysely';
import { NotFoundError } from '../../common/errors';
import { paginate, type Connection } from '../../common/pagination';
import { Topic, type AppPubSub, type NotificationReceivedPayload } from '../../common/pubsub';
import type { Reader } from '../../common/reader';
import type { Viewer } from '../../context';
import type { DB } from '../../db/tables';
import { Role } from '../accounts/role';
import { Notification } from './notification.entity';
import { NotificationAudience, NotificationSeverity } from './notification.enums';
import { selectNotification } from './notifications.read';
import type { NotificationNode } from './notifications.types';

export interface NewNotification {
  /** Given when the caller needs the id before the notification is built (a UUIDv7 otherwise). */
  id?: string;
  workspaceId: string;
  /** A user, or `'admins'` for every admin of the workspace. */
  to: { userId: string } | 'admins';
  severity?: NotificationSeverity;
  title: string;
  message: string;
  link?: string | null;
  sourceType?: string | null;
  sourceId?: string | null;
  data?: Record<string, unknown>;
}

/**
 * Creates notifications for other modules and serves the viewer's own. A notification is visible
 * to its recipient, or to every admin when addressed to the admins.
 */
export class NotificationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly pubSub: AppPubSub,
  ) {}

  /**
   * Stores a notification within the caller's transaction. Call `publish` with the result once
   * that transaction has committed.
   */
  async create(input: NewNotification): Promise<NotificationReceivedPayload> {
    const payload = this.build(input);
    await this.em.flush();
    return payload;
  }

  /** Like `create`, but leaves the flush to the caller (to write many in one statement). */
  build(input: NewNotification): NotificationReceivedPayload {
    const toAdmins = input.to === 'admins';
    const recipientId = input.to === 'admins' ? null : input.to.userId;
    const notification = this.em.create(Notification, {
      ...(input.id ? { id: input.id } : {}),
      workspace: input.workspaceId,
      audience: toAdmins ? NotificationAudience.ADMINS : NotificationAudience.USER,
      recipient: recipientId,
      severity: input.severity ?? NotificationSeverity.INFO,
      title: input.title,
      message: input.message,
      link: input.link ?? null,
      sourceType: input.sourceType ?? null,
      sourceId: input.sourceId ?? null,
      data: input.data ?? {},
    });
    return { notificationId: notification.id, workspaceId: input.workspaceId, recipientId, toAdmins };
  }

  /** Removes the notifications about something being deleted, within the caller's transaction. */
  async removeAbout(workspaceId: string, sourceType: string, sourceId: string): Promise<number> {
    return this.em.nativeDelete(Notification, { workspace: workspaceId, sourceType, sourceId });
  }

  publish(payloads: NotificationReceivedPayload[]): void {
    for (const payload of payloads) this.pubSub.publish(Topic.NotificationReceived, payload);
  }

  list(
    reader: Reader,
    viewer: Viewer,
    first: number,
    after: string | null | undefined,
    unreadOnly: boolean,
  ): Promise<Connection<NotificationNode>> {
    let query = selectNotification(visibleTo(reader, viewer));
    if (unreadOnly) query = query.where('notifications.read', '=', false);
    return paginate({
      query,
      idColumn: 'notifications.id',
      sort: { column: 'notifications.created_at', field: 'createdAt', direction: 'desc' },
      first,
      after,
    });
  }

  async unreadCount(reader: Reader, viewer: Viewer): Promise<number> {
    const row = await visibleTo(reader, viewer)
      .where('notifications.read', '=', false)
      .select(sql<number>`count(*)::int`.as('count'))
      .executeTakeFirstOrThrow();
    return row.count;
  }

  async markRead(reader: Reader, viewer: Viewer, id: string): Promise<NotificationNode> {
    const updated = await reader.db
      .updateTable('notifications')
      .set({ read: true, read_at: new Date(), read_by_id: viewer.id, updated_at: new Date() })
      .where('id', '=', id)
      .where((eb) => eb.and(visibilityConditions(viewer)(eb)))
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new NotFoundError('Notification', id);
    return await selectNotification(reader.from('notifications'))
      .where('notifications.id', '=', id)
      .executeTakeFirstOrThrow();
  }

  async markAllRead(reader: Reader, viewer: Viewer): Promise<number> {
    const result = await reader.db
      .updateTable('notifications')
      .set({ read: true, read_at: new Date(), read_by_id: viewer.id, updated_at: new Date() })
      .where('read', '=', false)
      .where((eb) => eb.and(visibilityConditions(viewer)(eb)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Whether a published notification is for this viewer (used by the subscription filter). */
  static isFor(payload: NotificationReceivedPayload, viewer: Viewer): boolean {
    if (payload.workspaceId !== viewer.workspaceId) return false;
    return payload.toAdmins ? viewer.role === Role.ADMIN : payload.recipientId === viewer.id;
  }
}

/** `workspace = viewer's and (recipient = viewer or (to admins and viewer is admin))` */
function visibilityConditions(viewer: Viewer) {
  return (eb: ExpressionBuilder<DB, 'notifications'>) => {
    const mine = eb('notifications.recipient_id', '=', viewer.id);
    const conditions = [eb('notifications.workspace_id', '=', viewer.workspaceId)];
    conditions.push(
      viewer.role === Role.ADMIN ? eb.or([mine, eb('notifications.audience', '=', NotificationAudience.ADMINS)]) : mine,
    );
    return conditions;
  };
}

function visibleTo(reader: Reader, viewer: Viewer) {
  return reader.from('notifications').where((eb) => eb.and(visibilityConditions(viewer)(eb)));
}
