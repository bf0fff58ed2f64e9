/** What the seed step created, for scenarios that need ids (e.g. the floor query's parameters). */
export interface SeedInfo {
  workspaceId: string;
  adminUserId: string;
  /** Members of the workspace, the admin included. */
  memberCount: number;
}

/** One hand-written SQL statement whose single row and column is the whole JSON response body. */
export interface FloorQuery {
  text: string;
  params: (seed: SeedInfo) => unknown[];
}

export interface Scenario {
  name: string;
  /** A GraphQL document with exactly one named operation. */
  query: string;
  variables?: Record<string, unknown>;
  /**
   * A list scenario is also measured against its floor: a bare `node:http` server answering with
   * the JSON that `floorSql` builds in one statement. Required when `list` is true.
   */
  list?: boolean;
  floorSql?: FloorQuery;
}

/**
 * A `timestamptz` column as the API's DateTime scalar writes it: the API reads timestamps as
 * PostgreSQL text (`2026-05-01 09:30:00.12+00`, trailing zeros trimmed, microseconds kept) and
 * rewrites that to `2026-05-01T09:30:00.12Z`.
 */
const isoTimestamp = (column: string) => `replace((${column} at time zone 'UTC')::text, ' ', 'T') || 'Z'`;

/**
 * The benchmarked operations, run in this order. A module adds its own by appending here; a list
 * scenario needs a `floorSql` that returns exactly what the API returns (checked before measuring).
 */
export const scenarios: Scenario[] = [
  {
    name: 'me',
    query: 'query Me { me { id email displayName role } }',
  },
  {
    name: 'members',
    list: true,
    query:
      'query Members { workspace { members(first: 50) { edges { node { id email displayName role createdAt } } } } }',
    floorSql: {
      text: `select json_build_object('data', json_build_object('workspace', json_build_object('members',
               json_build_object('edges', coalesce(json_agg(json_build_object('node', json_build_object(
                 'id', id, 'email', email, 'displayName', display_name, 'role', role,
                 'createdAt', ${isoTimestamp('created_at')})) order by created_at, id), '[]'::json))))) as body
             from (select * from users where workspace_id = $1 order by created_at, id limit 50) u`,
      params: (seed) => [seed.workspaceId],
    },
  },
];
