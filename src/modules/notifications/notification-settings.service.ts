import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidv7 } from 'uuidv7';
import type { Reader } from '../../common/reader';
import type { Viewer } from '../../context';
import { NotificationSettings } from './notification-settings.entity';
import type { UpdateNotificationSettingsInput } from './notifications.inputs';

/** A user's own delivery preferences (their ntfy topic). */
export class NotificationSettingsService {
  constructor(private readonly em: EntityManager) {}

  async topic(reader: Reader, viewer: Viewer): Promise<string | null> {
    const row = await reader
      .from('notification_settings')
      .select('notification_settings.ntfy_topic as ntfyTopic')
      .where('notification_settings.user_id', '=', viewer.id)
      .executeTakeFirst();
    return row?.ntfyTopic ?? null;
  }

  /** Sets (or with null/empty clears) the viewer's topic; one row per user. */
  async update(viewer: Viewer, input: UpdateNotificationSettingsInput): Promise<void> {
    if (input.ntfyTopic === undefined) return;
    const topic = input.ntfyTopic || null;
    await this.em.upsert(
      NotificationSettings,
      { id: uuidv7(), workspace: viewer.workspaceId, user: viewer.id, ntfyTopic: topic, updatedAt: new Date() },
      { onConflictFields: ['user'], onConflictAction: 'merge', onConflictMergeFields: ['ntfyTopic', 'updatedAt'] },
    );
  }
}
