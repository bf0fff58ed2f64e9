import { sql } from 'kysely';
import type { DB } from '../src/db/tables';
import { errorCode, gql } from './support/client';
import { buildWorkspace, type Workspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';
import { buildTask, TASK_FIELDS } from './support/tasks';

const now = new Date('2026-03-02T12:00:00Z'); // a Monday
let server: TestServer;
let ws: Workspace;

beforeAll(async () => {
  server = await startTestServer({}, { clock: () => now });
  ws = await buildWorkspace(server);
});
afterAll(async () => {
  await server?.close();
});

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { ${TASK_FIELDS} } }`;
const UPDATE = `mutation($input: UpdateTaskInput!) { updateTask(input: $input) { ${TASK_FIELDS} } }`;
const create = (input: Record<string, unknown>, token = ws.admin.token) =>
  gql(server.url, CREATE, { input: { name: 'T', cron: '0 7 * * *', action: { type: 'NOTIFY' }, ...input } }, token);

describe('creating tasks', () => {
  it('checks the cron expression and time zone, and shows when it runs next', async () => {
    const task = await buildTask(server, ws.admin.token, {
      name: '  Standup notes  ',
      cron: ' 0  9 * *   1-5 ',
      timeZone: 'America/New_York',
      action: { type: 'NOTIFY', title: 'Standup', message: 'Write the notes' },
    });
    expect(task).toMatchObject({
      name: 'Standup notes',
      cron: '0 9 * * 1-5',
      timeZone: 'America/New_York',
      enabled: true,
      priority: 'DEFAULT',
      notifyOn: 'BOTH',
      timeoutSeconds: 300,
      maxAttempts: 1,
      retryBackoffSeconds: 60,
      missedPolicy: 'FIRE_ONCE_LATE',
      lastRunAt: null,
      // 09:00 in New York (EST, before the switch to summer time on 8 March) is 14:00Z
      nextRunAt: '2026-03-02T14:00:00.000Z',
      action: { type: 'NOTIFY', title: 'Standup', message: 'Write the notes', prompt: null, command: null },
    });
    const hourly = await buildTask(server, ws.admin.token, { cron: '@hourly' });
    expect(hourly.nextRunAt).toBe('2026-03-02T13:00:00.000Z');
  });

  it('refuses a bad schedule with BAD_USER_INPUT', async () => {
    for (const input of [
      { cron: 'every morning' },
      { cron: '61 * * * *' },
      { cron: '*/10 * * * * *' }, // seconds: more often than once a minute
      { cron: '0 0 30 2 *' }, // 30 February never comes
      { cron: '0 7 * * *', timeZone: 'Mars/Olympus_Mons' },
    ]) {
      const res = await create(input);
      expect({ input, code: errorCode(res) }).toEqual({ input, code: 'BAD_USER_INPUT' });
    }
  });

  it('refuses bad limits and actions with BAD_USER_INPUT, and others’ Home Assistant with NOT_FOUND', async () => {
    for (const input of [
      { name: '   ' },
      { timeoutSeconds: 0 },
      { timeoutSeconds: 86_401 },
      { maxAttempts: 11 },
      { retryBackoffSeconds: 0 },
      { action: { type: 'PROMPT', prompt: 'Hello' } }, // no AI server configured here
      { action: { type: 'WEBHOOK' } },
      { action: { type: 'WEBHOOK', url: 'ftp://example.com' } },
      { action: { type: 'CALL_HA_SERVICE', domain: 'light' } },
    ]) {
      const res = await create(input);
      expect({ input, code: errorCode(res) }).toEqual({ input, code: 'BAD_USER_INPUT' });
    }
    const res = await create({
      action: {
        type: 'CALL_HA_SERVICE',
        connectionId: '01a20000-0000-7000-8000-000000000000',
        domain: 'light',
        service: 'turn_on',
      },
    });
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect((await gql(server.url, '{ tasks(first: 100) { totalCount } }', {}, ws.admin.token)).data?.tasks).toEqual({
      totalCount: 2,
    });
  });
});

describe('changing tasks', () => {
  it('moves the next run with the schedule, and clears it while disabled', async () => {
    const task = await buildTask(server, ws.admin.token, { name: 'Change me', cron: '0 7 * * *' });
    expect(task.nextRunAt).toBe('2026-03-03T07:00:00.000Z');
    const moved = await gql(
      server.url,
      UPDATE,
      { input: { id: task.id, cron: '30 18 * * *', timeZone: 'Europe/Paris', description: 'Evening' } },
      ws.admin.token,
    );
    expect(moved.data?.updateTask).toMatchObject({ nextRunAt: '2026-03-02T17:30:00.000Z', name: 'Change me' });
    const off = await gql(server.url, UPDATE, { input: { id: task.id, enabled: false } }, ws.admin.token);
    expect(off.data?.updateTask).toMatchObject({ enabled: false, nextRunAt: null });
    const action = await gql(
      server.url,
      UPDATE,
      { input: { id: task.id, action: { type: 'WEBHOOK', url: 'https://example.com/hook' }, maxAttempts: 3 } },
      ws.admin.token,
    );
    expect(action.data?.updateTask).toMatchObject({
      maxAttempts: 3,
      action: { type: 'WEBHOOK', url: 'https://example.com/hook', timeoutMs: 5000 },
    });
    const bad = await gql(server.url, UPDATE, { input: { id: task.id, cron: 'nope' } }, ws.admin.token);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const missing = await gql(
      server.url,
      UPDATE,
      { input: { id: '01a20000-0000-7000-8000-000000000000', name: 'x' } },
      ws.admin.token,
    );
    expect(errorCode(missing)).toBe('NOT_FOUND');
    const malformed = await gql(server.url, UPDATE, { input: { id: 'not-an-id', name: 'x' } }, ws.admin.token);
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
  });

  it('deletes a task with its executions', async () => {
    const task = await buildTask(server, ws.admin.token, { name: 'Short-lived' });
    await gql(server.url, `mutation($id: ID!) { runTaskNow(id: $id) { id } }`, { id: task.id }, ws.admin.token);
    const db = server.app.orm.em.fork().getKysely<DB>();
    const count = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from task_executions where task_id = ${task.id}`.execute(db))
        .rows[0]!.n;
    expect(await count()).toBe(1);
    const res = await gql(server.url, `mutation($id: ID!) { deleteTask(id: $id) }`, { id: task.id }, ws.admin.token);
    expect(res.data?.deleteTask).toBe(true);
    expect(await count()).toBe(0);
    const again = await gql(server.url, `query($id: ID!) { task(id: $id) { id } }`, { id: task.id }, ws.admin.token);
    expect(errorCode(again)).toBe('NOT_FOUND');
  });
});

describe('listing tasks', () => {
  it('pages by name with a filter on enabled and text', async () => {
    const own = await buildWorkspace(server);
    for (const name of ['Water plants', 'Backup photos', 'Check the boiler', 'Archive mail']) {
      await buildTask(server, own.admin.token, {
        name,
        enabled: name !== 'Archive mail',
        description: name === 'Check the boiler' ? 'plants room too' : null,
      });
    }
    const page = async (filter: Record<string, unknown> | null, after?: string) =>
      (
        await gql(
          server.url,
          `query($filter: TaskFilter, $after: String) { tasks(first: 2, after: $after, filter: $filter) {
             totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }`,
          { filter, after },
          own.admin.token,
        )
      ).data?.tasks;
    const first = await page(null);
    expect(first.edges.map((e: any) => e.node.name)).toEqual(['Archive mail', 'Backup photos']);
    expect(first).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: true } });
    const second = await page(null, first.pageInfo.endCursor);
    expect(second.edges.map((e: any) => e.node.name)).toEqual(['Check the boiler', 'Water plants']);
    expect((await page({ enabled: false })).edges.map((e: any) => e.node.name)).toEqual(['Archive mail']);
    expect((await page({ text: 'PLANTS' })).edges.map((e: any) => e.node.name)).toEqual([
      'Check the boiler',
      'Water plants',
    ]);
  });

  it('costs the same number of SQL statements for 2 tasks with their executions as for 10', async () => {
    const own = await buildWorkspace(server);
    for (let i = 0; i < 10; i += 1) {
      const task = await buildTask(server, own.admin.token, { name: `Task ${String(i).padStart(2, '0')}` });
      await gql(server.url, `mutation($id: ID!) { runTaskNow(id: $id) { id } }`, { id: task.id }, own.admin.token);
    }
    const query = (n: number) =>
      `{ tasks(first: ${n}) { edges { node { name action { type } executions(first: 3) { totalCount edges { node { status output task { id } } } } } } } }`;
    const count = async (n: number) => {
      const before = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
      const res = await gql(server.url, query(n), {}, own.admin.token);
      expect(res.errors).toBeUndefined();
      const after = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
      return { statements: after - before, data: res.data! };
    };
    const small = await count(2);
    const large = await count(10);
    expect(large.data.tasks.edges).toHaveLength(10);
    expect(large.data.tasks.edges[9].node.executions).toMatchObject({
      totalCount: 1,
      edges: [{ node: { status: 'PENDING', output: null } }],
    });
    expect(large.statements).toBe(small.statements);
  });
});
