import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { DB } from '../../db/tables';
import { Workspace } from './workspace.entity';

/**
 * A workspace's `settings` JSON holds one section per module that keeps settings there (e.g.
 * `workflowHealth`); each module reads and writes only its own section through these.
 */
export class WorkspaceSettings {
  constructor(private readonly em: EntityManager) {}

  /** The section `key` as stored (undefined when never set), within the caller's transaction if any. */
  async read(workspaceId: string, key: string): Promise<unknown> {
    const row = await this.em
      .getKysely<DB>()
      .selectFrom('workspaces')
      .select(sql<unknown>`settings -> ${key}`.as('value'))
      .where('id', '=', workspaceId)
      .executeTakeFirst();
    return row?.value ?? undefined;
  }

  /** Replaces the section `key`, leaving the other sections as they are. */
  async write(workspaceId: string, key: string, value: unknown): Promise<void> {
    await this.em.transactional(async (em) => {
      const workspace = await em.findOneOrFail(Workspace, workspaceId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      workspace.settings = { ...workspace.settings, [key]: value };
      await em.flush();
    });
  }
}
