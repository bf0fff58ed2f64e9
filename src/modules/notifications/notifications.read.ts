import type { ScopedQuery } from '../../common/reader';

/** The columns of a `Notification` node, aliased to its fields. */
export const selectNotification = (q: ScopedQuery<'notifications'>) =>
  q.select([
    'notifications.id',
    'notifications.audience',
    'notifications.severity',
    'notifications.title',
    'notifications.message',
    'notifications.link',
    'notifications.source_type as sourceType',
    'notifications.source_id as sourceId',
    'notifications.read',
    'notifications.read_at as readAt',
    'notifications.read_by_id as readById',
    'notifications.delivery_status as deliveryStatus',
    'notifications.delivery_error as deliveryError',
    'notifications.delivered_at as deliveredAt',
    'notifications.created_at as createdAt',
  ]);
