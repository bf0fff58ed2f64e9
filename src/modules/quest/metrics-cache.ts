import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DB } from '../../db/tables';
import type { QuestOwner } from './pets.service';

/** The row holding the version of a user's data that cached values must match. */
const VERSION_KEY = 'version';

export interface CachedValue {
  value: Record<string, unknown>;
  computedAt: Date | string;
  expiresAt: Date | string;
}

/**
 * Invalidates a user's cached metrics, in the transaction that changed their data: the version is
 * raised (so a value computed from older data and stored later is never served) and the cached
 * values are deleted.
 */
export async function invalidateMetrics(db: Kysely<DB>, owner: QuestOwner, now: Date): Promise<void> {
  await sql`
    insert into metrics_cache (id, workspace_id, user_id, key, value, version, computed_at, expires_at)
    values (${uuidv7()}, ${owner.workspaceId}, ${owner.userId}, ${VERSION_KEY}, '{}'::jsonb, 1, ${now}, null)
    on conflict (user_id, key) do update
      set version = metrics_cache.version + 1, computed_at = excluded.computed_at, updated_at = now()`.execute(db);
  await db
    .deleteFrom('metrics_cache')
    .where('workspace_id', '=', owner.workspaceId)
    .where('user_id', '=', owner.userId)
    .where('key', '<>', VERSION_KEY)
    .execute();
}

/**
 * A cached value still valid at `now` (unexpired, computed from the current version), and the
 * current version (to store a new value under) — one statement.
 */
export async function readCached(
  db: Kysely<DB>,
  owner: QuestOwner,
  key: string,
  now: Date,
): Promise<{ cached: CachedValue | null; version: number }> {
  const { rows } = await sql<{
    version: number;
    value: Record<string, unknown> | null;
    computed_at: string | null;
    expires_at: string | null;
  }>`
    select coalesce(v.version, 0) as version, c.value, c.computed_at, c.expires_at
      from (select 1) as one
      left join metrics_cache v
        on v.workspace_id = ${owner.workspaceId} and v.user_id = ${owner.userId} and v.key = ${VERSION_KEY}
      left join metrics_cache c
        on c.workspace_id = ${owner.workspaceId} and c.user_id = ${owner.userId} and c.key = ${key}
       and c.expires_at > ${now} and c.version = coalesce(v.version, 0)`.execute(db);
  const row = rows[0]!;
  const cached =
    row.value && row.computed_at && row.expires_at
      ? { value: row.value, computedAt: row.computed_at, expiresAt: row.expires_at }
      : null;
  return { cached, version: row.version };
}

/** Stores a computed value under `version`, replacing what was there. */
export async function storeCached(
  db: Kysely<DB>,
  owner: QuestOwner,
  key: string,
  entry: { value: Record<string, unknown>; version: number; computedAt: Date; expiresAt: Date },
): Promise<void> {
  await sql`
    insert into metrics_cache (id, workspace_id, user_id, key, value, version, computed_at, expires_at)
    values (${uuidv7()}, ${owner.workspaceId}, ${owner.userId}, ${key}, ${JSON.stringify(entry.value)}::jsonb,
            ${entry.version}, ${entry.computedAt}, ${entry.expiresAt})
    on conflict (user_id, key) do update
      set value = excluded.value, version = excluded.version, computed_at = excluded.computed_at,
          expires_at = excluded.expires_at, updated_at = now()`.execute(db);
}
