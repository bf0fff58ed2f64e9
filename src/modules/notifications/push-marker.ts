import { ChangeSetType, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/tables';
import { Role } from '../accounts/role';
import { Notification } from './notification.entity';
import { DeliveryStatus, NotificationAudience } from './notification.enums';

/**
 * Makes every new notification a PENDING push when one of its recipients (its user, or any admin
 * for the admins) has an ntfy topic — in the very flush that writes it, whichever module created
 * it. The push is then delivered by `PushDelivery` after the commit, so it can never hold up or
 * undo the in-app notification, and survives a restart in between.
 */
export class PushMarker implements EventSubscriber {
  constructor(private readonly clock: () => Date) {}

  async onFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const created: Notification[] = [];
    for (const changeSet of uow.getChangeSets()) {
      if (changeSet.type === ChangeSetType.CREATE && changeSet.entity instanceof Notification) {
        created.push(changeSet.entity);
      }
    }
    if (created.length === 0) return;
    // Bound to the flush's transaction when there is one (the embedded database has one connection).
    const topics = await recipientTopics((em as EntityManager).getKysely<DB>(), created);
    const now = this.clock();
    for (const notification of created) {
      const to = topicsOf(notification, topics);
      if (to.length === 0) continue;
      notification.deliveryStatus = DeliveryStatus.PENDING;
      notification.deliveryTopics = to;
      notification.nextDeliveryAt = now;
      uow.recomputeSingleChangeSet(notification);
    }
  }
}

interface TopicRow {
  user_id: string;
  workspace_id: string;
  role: Role;
  ntfy_topic: string;
}

/** The topics of the recipients of many notifications (and of the admins of their workspaces), in one query. */
async function recipientTopics(db: Kysely<DB>, notifications: Notification[]): Promise<TopicRow[]> {
  const users = new Set<string>();
  const adminWorkspaces = new Set<string>();
  for (const n of notifications) {
    if (n.audience === NotificationAudience.ADMINS) adminWorkspaces.add(n.workspace.id);
    else if (n.recipient) users.add(n.recipient.id);
  }
  const { rows } = await sql<TopicRow>`
    select u.id as user_id, u.workspace_id, u.role, s.ntfy_topic
      from notification_settings s join users u on u.id = s.user_id
     where s.ntfy_topic is not null
       and (u.id = any(${[...users]}::uuid[])
            or (u.workspace_id = any(${[...adminWorkspaces]}::uuid[]) and u.role = ${Role.ADMIN}))`.execute(db);
  return rows;
}

function topicsOf(notification: Notification, rows: TopicRow[]): string[] {
  const matching =
    notification.audience === NotificationAudience.ADMINS
      ? rows.filter((r) => r.workspace_id === notification.workspace.id && r.role === Role.ADMIN)
      : rows.filter((r) => r.user_id === notification.recipient?.id);
  return [...new Set(matching.map((r) => r.ntfy_topic))].sort();
}
