import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidv7 } from 'uuidv7';
import { ActivityEvent } from './activity-event.entity';

export interface ActivityEntry {
  workspaceId: string;
  userId: string | null;
  type: string;
  message?: string;
  payload?: Record<string, unknown>;
}

/** Appends to the user-visible activity feed. */
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
}
