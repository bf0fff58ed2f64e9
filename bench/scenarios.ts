import { seedCalendar } from './seed';
import { seedWorkflows } from './seed-workflows';

/** What the seed step created, for scenarios that need ids (e.g. the floor query's parameters). */
export interface SeedInfo {
  workspaceId: string;
  adminUserId: string;
  /** Members of the workspace, the admin included. */
  memberCount: number;
}

/** What a scenario's `prepare` may use to add its own data before it is measured. */
export interface BenchContext {
  graphqlUrl: string;
  databaseUrl: string;
  /** The admin's access token. */
  token: string;
  seed: SeedInfo;
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
  /** Adds the scenario's data (through the API or SQL); run only when the scenario is selected. */
  prepare?: (bench: BenchContext) => Promise<void>;
}

/**
 * A `timestamptz` column as the API's DateTime scalar writes it: ISO 8601 in UTC with exactly three
 * fraction digits (microseconds cut, not rounded, as `Date#toISOString` and the scalar's rewrite of
 * PostgreSQL text both do): `2026-05-01T09:30:00.120Z`.
 */
const isoTimestamp = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

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
  {
    name: 'calendar-list',
    list: true,
    prepare: seedCalendar,
    query:
      'query CalendarList { calendarItems(first: 100) { edges { node { id title startTime triggers { id triggerType ' +
      'executions(first: 5) { edges { node { id status firedAt } } } } } } } }',
    // The API's order: items by start time then id (undated items left out when ordering by start
    // time), triggers by creation then id, executions newest first (fired_at desc, id desc), 5 each.
    floorSql: {
      text: `select json_build_object('data', json_build_object('calendarItems', json_build_object('edges',
               coalesce(json_agg(json_build_object('node', json_build_object(
                 'id', c.id, 'title', c.title, 'startTime', ${isoTimestamp('c.start_time')},
                 'triggers', coalesce((
                   select json_agg(json_build_object(
                     'id', t.id, 'triggerType', t.trigger_type,
                     'executions', json_build_object('edges', coalesce((
                       select json_agg(json_build_object('node', json_build_object(
                         'id', e.id, 'status', e.status, 'firedAt', ${isoTimestamp('e.fired_at')}))
                         order by e.fired_at desc, e.id desc)
                       from (select id, status, fired_at from trigger_executions
                              where trigger_id = t.id and workspace_id = $1
                              order by fired_at desc, id desc limit 5) e), '[]'::json)))
                     order by t.created_at, t.id)
                   from triggers t
                  where t.calendar_item_id = c.id and t.user_id = $2 and t.workspace_id = $1), '[]'::json)))
               order by c.start_time, c.id), '[]'::json)))) as body
             from (select id, title, start_time from calendar_items
                    where workspace_id = $1 and user_id = $2 and start_time is not null
                    order by start_time, id limit 100) c`,
      params: (seed) => [seed.workspaceId, seed.adminUserId],
    },
  },
  {
    name: 'workflows-nested',
    list: true,
    prepare: seedWorkflows,
    query:
      'query WorkflowsNested { workflows(first: 50) { edges { node { id name status ' +
      'steps { id stepNumber action screenshot { sha256 } } healthLogs(first: 10) { edges { node { id status } } } } } } }',
    // The API's order: workflows newest first (created_at desc, id desc), steps by number, runs newest
    // first (created_at desc, id desc), 10 each.
    floorSql: {
      text: `select json_build_object('data', json_build_object('workflows', json_build_object('edges',
               coalesce(json_agg(json_build_object('node', json_build_object(
                 'id', w.id, 'name', w.name, 'status', w.status,
                 'steps', coalesce((
                   select json_agg(json_build_object(
                     'id', s.id, 'stepNumber', s.step_number, 'action', s.action,
                     'screenshot', case when sc.id is null then null else json_build_object('sha256', sc.sha256) end)
                     order by s.step_number)
                   from steps s
                   left join screenshots sc on sc.id = s.screenshot_id and sc.workspace_id = $1
                  where s.workflow_id = w.id and s.workspace_id = $1), '[]'::json),
                 'healthLogs', json_build_object('edges', coalesce((
                   select json_agg(json_build_object('node', json_build_object('id', h.id, 'status', h.status))
                     order by h.created_at desc, h.id desc)
                   from (select id, status, created_at from health_logs
                          where workflow_id = w.id and workspace_id = $1
                          order by created_at desc, id desc limit 10) h), '[]'::json))))
               order by w.created_at desc, w.id desc), '[]'::json)))) as body
             from (select id, name, status, created_at from workflows
                    where workspace_id = $1 order by created_at desc, id desc limit 50) w`,
      params: (seed) => [seed.workspaceId],
    },
  },
];
