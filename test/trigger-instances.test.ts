import { sql } from 'kysely';
import type { DB } from '../src/db/tables';
import { gql } from './support/client';
import { buildItem, buildTrigger } from './support/calendar';
import { buildWorkspace, workspaceIdOf } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

// Several instances (and a restart) need one shared database: run with DATABASE_URL.
const shared = Boolean(process.env.DATABASE_URL);

(shared ? describe : describe.skip)('time triggers across instances', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer({}, { clock: () => new Date('2031-01-01T00:00:00Z') });
    b = await startTestServer({}, { clock: () => new Date('2031-01-01T00:00:00Z') });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  async function executionsOf(server: TestServer, triggerIds: string[]) {
    const { rows } = await sql<{ trigger_id: string; n: number }>`
      select trigger_id, count(*)::int as n from trigger_executions
       where trigger_id = any(${triggerIds}::uuid[]) group by trigger_id`.execute(
      server.app.orm.em.fork().getKysely<DB>(),
    );
    return rows;
  }

  it('fire each due time exactly once when two instances tick at the same moment', async () => {
    const ws = await buildWorkspace(a);
    const item = await buildItem(a, ws.admin.token, { title: 'Shared' });
    const ids: string[] = [];
    for (let i = 0; i < 120; i += 1) {
      const at = new Date(Date.parse('2031-01-01T01:00:00Z') + (i % 7) * 1000).toISOString();
      ids.push((await buildTrigger(a, ws.admin.token, item.id, { time: { at } })).id);
    }
    const due = new Date('2031-01-01T01:00:10Z');
    const scope = await workspaceIdOf(a, ws.admin);
    const [fromA, fromB] = await Promise.all([
      a.app.timeTriggers.tick(due, scope),
      b.app.timeTriggers.tick(due, scope),
    ]);
    expect(fromA + fromB).toBeGreaterThanOrEqual(120);
    const rows = await executionsOf(a, ids);
    expect(rows).toHaveLength(120);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const notes = await gql(a.url, '{ unreadNotificationCount }', {}, ws.admin.token);
    expect(notes.data?.unreadNotificationCount).toBe(120);
  });

  it('survive a restart: a new instance fires what was due while none ran', async () => {
    const ws = await buildWorkspace(a);
    const item = await buildItem(a, ws.admin.token, { title: 'Across restarts' });
    const trigger = await buildTrigger(a, ws.admin.token, item.id, { time: { at: '2031-01-02T00:00:00Z' } });
    const scope = await workspaceIdOf(a, ws.admin);
    await a.close();
    const next = await startTestServer({}, { clock: () => new Date('2031-01-02T06:00:00Z') });
    try {
      await next.app.timeTriggers.tick(undefined, scope);
      const rows = await executionsOf(next, [trigger.id]);
      expect(rows).toEqual([{ trigger_id: trigger.id, n: 1 }]);
      const read = await gql(
        next.url,
        `query($id: ID!) { trigger(id: $id) { executions(first: 1) { edges { node { lateMs result } } } } }`,
        { id: trigger.id },
        ws.admin.token,
      );
      expect(read.data?.trigger.executions.edges[0].node).toMatchObject({
        lateMs: 6 * 3_600_000,
        result: expect.objectContaining({ late: true }),
      });
    } finally {
      await next.close();
    }
  });
});
