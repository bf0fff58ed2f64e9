import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidv7 } from 'uuidv7';
import { BadUserInputError } from '../../common/errors';
import { paginate, type Connection } from '../../common/pagination';
import type { Reader } from '../../common/reader';
import type { Viewer } from '../../context';
import { ActivityEvent } from './activity-event.entity';
import type { ActivityEventNode, ActivityFilter } from './activity.types';

export interface ActivityEntry {
  workspaceId: string;
  userId: string | null;
  type: string;
  message?: string;
  payload?: Record<string, unknown>;
}

/** Appends to the user-visible activity feed, and reads the viewer's. */
export class ActivityService {
  constructor(private readonly em: EntityManager) {}

  /** Adds an event to the unit of work, for the caller to flush with the rest of its writes. */
  build(entry: ActivityEntry & { createdAt?: Date }): void {
    this.em.create(ActivityEvent, {
      workspace: entry.workspaceId,
      user: entry.userId,
      type: entry.type,
      message: entry.message ?? null,
      payload: entry.payload ?? {},
      createdAt: entry.createdAt ?? new Date(),
    });
  }

  async record(entry: ActivityEntry): Promise<void> {
    await this.em.insert(ActivityEvent, {
      id: uuidv7(),
      workspace: entry.workspaceId,
      user: entry.userId,
      type: entry.type,
      message: entry.message ?? null,
      payload: entry.payload ?? {},
      createdAt: new Date(),
    });
  }

  /** The viewer's own feed, newest first. */
  list(
    reader: Reader,
    viewer: Viewer,
    page: { first: number; after?: string | null },
    filter: ActivityFilter | null | undefined,
  ): Promise<Connection<ActivityEventNode>> {
    let query = reader
      .from('activity_events')
      .select([
        'activity_events.id',
        'activity_events.type',
        'activity_events.message',
        'activity_events.created_at as createdAt',
      ])
      .where('activity_events.user_id', '=', viewer.id);
    const type = filter?.type?.trim();
    if (type) {
      const group = `${type.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`;
      query = query.where((eb) =>
        eb.or([eb('activity_events.type', '=', type), eb('activity_events.type', 'like', group)]),
      );
    }
    if (filter?.from && filter.to && filter.to.getTime() <= filter.from.getTime()) {
      throw new BadUserInputError('to must be after from');
    }
    if (filter?.from) query = query.where('activity_events.created_at', '>=', filter.from);
    if (filter?.to) query = query.where('activity_events.created_at', '<', filter.to);
    return paginate({
      query,
      idColumn: 'activity_events.id',
      sort: { column: 'activity_events.created_at', field: 'createdAt', direction: 'desc' },
      first: page.first,
      after: page.after,
    });
  }
}
