import type { Kysely } from 'kysely';
import type { Logger } from '../../common/logger';
import type { DB } from '../../db/tables';
import type { ScreenshotStorage } from './screenshot-storage';
import type { ScreenshotUrls } from './screenshot-urls';

/** What the server keeps for screenshots: their storage, their signed addresses and the size limit. */
export class ScreenshotFiles {
  constructor(
    readonly storage: ScreenshotStorage,
    readonly urls: ScreenshotUrls,
    /** Largest upload accepted, in bytes. */
    readonly maxBytes: number,
    private readonly logger: Logger,
  ) {}

  /**
   * After screenshot rows were deleted (and committed): removes the stored bytes that no row refers
   * to any more. A failure is logged, not thrown: the rows are gone either way.
   */
  async removeUnreferenced(db: Kysely<DB>, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      const still = await db.selectFrom('screenshots').select('storage_key').where('storage_key', 'in', keys).execute();
      const kept = new Set(still.map((r) => r.storage_key));
      for (const key of keys) if (!kept.has(key)) await this.storage.remove(key);
    } catch (error) {
      this.logger.error({ err: error, keys: keys.length }, 'could not remove the files of deleted screenshots');
    }
  }
}
