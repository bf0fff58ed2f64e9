import { uuidv7 } from 'uuidv7';
import { withClient } from './database';
import { graphql, stringAt } from './graphql';
import type { BenchContext, SeedInfo } from './scenarios';
import { log } from './util';

/** What the bench seeds: one workspace of members, and the calendar of `calendar-list`. */

export const MEMBERS = 50;

/** The admin's access token with the ids the seed created. */
export interface Seed extends SeedInfo {
  token: string;
}

/** The admin signs up through the API; the other 49 members are inserted directly. */
export async function seedWorkspace(graphqlUrl: string, databaseUrl: string): Promise<Seed> {
  const signUp = await graphql(
    graphqlUrl,
    `
      mutation SignUp($input: SignUpInput!) {
        signUp(input: $input) {
          accessToken
          user {
            id
            workspace {
              id
            }
          }
        }
      }
    `,
    {
      variables: {
        input: {
          email: 'admin@bench.example',
          password: 'bench-password-123',
          displayName: 'Bench Admin',
          workspaceName: 'Bench workspace',
        },
      },
    },
  );
  const token = stringAt(signUp, 'signUp', 'accessToken');
  const adminUserId = stringAt(signUp, 'signUp', 'user', 'id');
  const workspaceId = stringAt(signUp, 'signUp', 'user', 'workspace', 'id');
  // The admin may read the invite token: proves the token and the workspace work before loading.
  const workspace = await graphql(graphqlUrl, 'query Invite { workspace { id inviteToken } }', { token });
  stringAt(workspace, 'workspace', 'inviteToken');

  const others = MEMBERS - 1;
  const ids = Array.from({ length: others }, () => uuidv7());
  await withClient(databaseUrl, async (client) => {
    await client.query(
      `insert into users (id, workspace_id, email, password_hash, display_name, role, created_at, updated_at)
       select ($3::uuid[])[i], $1, 'member' || i || '@bench.example',
              (select password_hash from users where id = $2), 'Member ' || i, 'MEMBER'::user_role,
              t + i * interval '1 millisecond', t + i * interval '1 millisecond'
       from generate_series(1, $4::int) i, (select date_trunc('milliseconds', now()) t) base`,
      [workspaceId, adminUserId, ids, others],
    );
    const count = await client.query<{ n: number }>('select count(*)::int n from users where workspace_id = $1', [
      workspaceId,
    ]);
    const n = count.rows[0]?.n ?? 0;
    if (n !== MEMBERS) throw new Error(`seeded ${n} members, expected ${MEMBERS}`);
    // Planner statistics, as a database that has been running would have them.
    await client.query('analyze');
  });
  log(`seeded workspace ${workspaceId} with ${MEMBERS} members`);
  return { token, adminUserId, workspaceId, memberCount: MEMBERS };
}

// ---------------------------------------------------------------------------------------------
// calendar-list: the admin's items, each with NFC triggers that have fired a few times.

export const CALENDAR_ITEMS = 100;
export const TRIGGERS_PER_ITEM = 3;
/** Items without a start time: a list ordered by start time must leave them out. */
const UNDATED_ITEMS = 5;
/** The API accepts at most 30 aliases per document (QUERY_MAX_ALIASES). */
const ALIASES_PER_REQUEST = 30;
const BASE_TIME = Date.parse('2026-12-01T08:00:00.000Z');

/**
 * Runs one mutation field per input, `ALIASES_PER_REQUEST` aliased fields per request (with
 * variables, to stay under the document size limit); returns the selected `id` of each.
 */
async function batchMutation(
  bench: BenchContext,
  field: string,
  argument: { name: string; type: string },
  inputs: unknown[],
  selection: string,
): Promise<unknown[]> {
  const results: unknown[] = [];
  for (let start = 0; start < inputs.length; start += ALIASES_PER_REQUEST) {
    const chunk = inputs.slice(start, start + ALIASES_PER_REQUEST);
    const params = chunk.map((_, i) => `$v${i}: ${argument.type}`).join(', ');
    const fields = chunk.map((_, i) => `m${i}: ${field}(${argument.name}: $v${i}) ${selection}`).join('\n');
    const variables = Object.fromEntries(chunk.map((input, i) => [`v${i}`, input]));
    const data = await graphql(bench.graphqlUrl, `mutation Seed(${params}) {\n${fields}\n}`, {
      token: bench.token,
      variables,
    });
    chunk.forEach((_, i) => results.push(data[`m${i}`]));
  }
  return results;
}

/** Tag id of trigger `k` of item `i` (even-length upper-case hex, as the API normalises it). */
const tagOf = (i: number, k: number) =>
  `BE${i.toString(16).padStart(4, '0')}${k.toString(16).padStart(2, '0')}`.toUpperCase();

/** How often trigger `k` of item `i` is fired: 0 to 7, so some lists are empty and some cut at 5. */
const scansOf = (i: number, k: number) => (i * TRIGGERS_PER_ITEM + k) % 8;

/**
 * For the admin: 100 dated items (created out of start order, some sharing a start time, start
 * times with varied milliseconds) and 5 undated ones, 3 NFC triggers each, fired 0-7 times each
 * through `scanNfcTag`: every write goes through the API as a client's would.
 */
export async function seedCalendar(bench: BenchContext): Promise<void> {
  const started = Date.now();
  // Created in a scrambled order; items 10n and 10n+1 start at the same instant (ordered by id).
  const order = Array.from({ length: CALENDAR_ITEMS }, (_, n) => (n * 37) % CALENDAR_ITEMS);
  const dated = order.map((i) => {
    const slot = i % 10 === 1 ? i - 1 : i;
    return {
      type: i % 3 === 0 ? 'EVENT' : i % 3 === 1 ? 'TASK' : 'REMINDER',
      title: `Bench item ${i}`,
      startTime: new Date(BASE_TIME + slot * 3_600_000 + slot * 10).toISOString(),
    };
  });
  const undated = Array.from({ length: UNDATED_ITEMS }, (_, n) => ({ type: 'TASK', title: `Undated task ${n}` }));
  const created = await batchMutation(
    bench,
    'createCalendarItem',
    { name: 'input', type: 'CreateCalendarItemInput!' },
    [...dated, ...undated],
    '{ id }',
  );
  const itemIds = created.map((item) => stringAt(item, 'id'));

  const triggers: unknown[] = [];
  const tags: { tagId: string; scans: number }[] = [];
  itemIds.forEach((calendarItemId, n) => {
    const i = n < CALENDAR_ITEMS ? order[n]! : n;
    for (let k = 0; k < TRIGGERS_PER_ITEM; k++) {
      const tagId = tagOf(i, k);
      triggers.push({ calendarItemId, condition: { nfc: { tagId } }, action: { type: 'NOTIFY' } });
      tags.push({ tagId, scans: scansOf(i, k) });
    }
  });
  await batchMutation(bench, 'createTrigger', { name: 'input', type: 'CreateTriggerInput!' }, triggers, '{ id }');
  // Scanned round-robin, so a trigger's executions are not next to each other in time.
  const scans: string[] = [];
  for (let round = 0; round < 8; round++) {
    for (const tag of tags) if (tag.scans > round) scans.push(tag.tagId);
  }
  const fired = await batchMutation(bench, 'scanNfcTag', { name: 'tagId', type: 'String!' }, scans, '{ id }');
  const missing = fired.filter((executions) => !Array.isArray(executions) || executions.length !== 1).length;
  if (missing > 0) throw new Error(`${missing} of ${scans.length} NFC scans did not fire exactly one trigger`);

  await withClient(bench.databaseUrl, async (client) => {
    const { rows } = await client.query<{ items: number; triggers: number; executions: number }>(
      `select (select count(*)::int from calendar_items where user_id = $1) items,
              (select count(*)::int from triggers where user_id = $1) triggers,
              (select count(*)::int from trigger_executions e join triggers t on t.id = e.trigger_id
                where t.user_id = $1) executions`,
      [bench.seed.adminUserId],
    );
    const counts = rows[0];
    const expected = CALENDAR_ITEMS + UNDATED_ITEMS;
    if (!counts || counts.items !== expected || counts.triggers !== expected * TRIGGERS_PER_ITEM) {
      throw new Error(`calendar seed: expected ${expected} items and their triggers, found ${JSON.stringify(counts)}`);
    }
    await client.query('analyze');
    log(
      `seeded ${counts.items} calendar items (${UNDATED_ITEMS} undated), ${counts.triggers} NFC triggers, ` +
        `${counts.executions} executions in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
}
