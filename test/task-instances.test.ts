import { sql } from 'kysely';
import type { DB } from '../src/db/tables';
import { gql } from './support/client';
import { FakeChatCompletions } from './support/fake-chat-completions';
import { buildWorkspace, type Workspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';
import { buildTask, readTask } from './support/tasks';

// Several instances (and a restart) need one shared database: run with DATABASE_URL.
const shared = Boolean(process.env.DATABASE_URL);

const API_KEY = 'sk-instances';
let chat: FakeChatCompletions;
beforeAll(async () => {
  chat = await new FakeChatCompletions(API_KEY).start();
});
afterAll(async () => {
  await chat?.close();
});

const start = (clock: () => Date) => startTestServer({ AI_BASE_URL: chat.baseUrl, AI_API_KEY: API_KEY }, { clock });

async function workspaceId(server: TestServer, ws: Workspace): Promise<string> {
  return (await gql(server.url, '{ workspace { id } }', {}, ws.admin.token)).data?.workspace.id;
}

function db(server: TestServer) {
  return server.app.orm.em.fork().getKysely<DB>();
}

(shared ? describe : describe.skip)('tasks across instances', () => {
  it('run each scheduled time exactly once when two instances tick at the same moment', async () => {
    const at = () => new Date('2032-01-01T01:00:00.500Z');
    const a = await start(() => new Date('2032-01-01T00:00:00Z'));
    const b = await start(at);
    try {
      const ws = await buildWorkspace(a);
      const ids: string[] = [];
      for (let i = 0; i < 60; i += 1) {
        const task = await buildTask(a, ws.admin.token, {
          name: `Hourly ${i}`,
          cron: '0 * * * *',
          notifyOn: 'NEVER',
          action: { type: 'NOTIFY', message: `run ${i}` },
        });
        ids.push(task.id);
      }
      const scope = { now: at(), workspaceId: await workspaceId(a, ws) };
      let claimed = 0;
      let started = 0;
      // Rounds at the same moment on both, until every run has started (each runs at most 50 at once).
      for (let round = 0; round < 5 && started < 60; round += 1) {
        const results = await Promise.all([a.app.tasks.tick(scope), b.app.tasks.tick(scope)]);
        await Promise.all([a.app.tasks.idle(), b.app.tasks.idle()]);
        claimed += results[0].claimed + results[1].claimed;
        started += results[0].started + results[1].started;
      }
      expect({ claimed, started }).toEqual({ claimed: 60, started: 60 });
      const { rows } = await sql<{ task_id: string; n: number; ok: number }>`
        select task_id, count(*)::int as n, count(*) filter (where status = 'SUCCESS')::int as ok
          from task_executions where task_id = any(${ids}::uuid[]) group by task_id`.execute(db(a));
      expect(rows).toHaveLength(60);
      expect(rows.every((r) => r.n === 1 && r.ok === 1)).toBe(true);
      const notes = await gql(a.url, '{ unreadNotificationCount }', {}, ws.admin.token);
      expect(notes.data?.unreadNotificationCount).toBe(60);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('survive a restart: what was due while none ran runs once, late — or is skipped, by policy', async () => {
    const before = await start(() => new Date('2032-02-01T00:00:00Z'));
    let ws: Workspace;
    let late: Record<string, any>;
    let skip: Record<string, any>;
    try {
      ws = await buildWorkspace(before);
      late = await buildTask(before, ws.admin.token, { name: 'Catch up', cron: '0 * * * *', notifyOn: 'NEVER' });
      skip = await buildTask(before, ws.admin.token, {
        name: 'Only on time',
        cron: '0 * * * *',
        notifyOn: 'NEVER',
        missedPolicy: 'SKIP',
      });
    } finally {
      await before.close();
    }
    // nothing ran from 01:00 until 05:30
    const after = await start(() => new Date('2032-02-01T05:30:00Z'));
    try {
      await after.app.tasks.tick({ workspaceId: await workspaceId(after, ws) });
      await after.app.tasks.idle();
      const caughtUp = await readTask(after, ws.admin.token, late.id);
      expect(caughtUp.runs.map((r: any) => [r.status, r.scheduledFor, r.startedAt])).toEqual([
        ['SUCCESS', '2032-02-01T01:00:00.000Z', '2032-02-01T05:30:00.000Z'],
      ]);
      expect(caughtUp.nextRunAt).toBe('2032-02-01T06:00:00.000Z');
      const skipped = await readTask(after, ws.admin.token, skip.id);
      expect(skipped.runs).toHaveLength(1);
      expect(skipped.runs[0]).toMatchObject({ status: 'SKIPPED', scheduledFor: '2032-02-01T01:00:00.000Z' });
      expect(skipped.runs[0].error).toMatch(/^skipped: missed by 16200 s/);
    } finally {
      await after.close();
    }
  });

  it('hand a run in progress over when its instance stops: it runs again elsewhere', async () => {
    const clock = () => new Date('2032-03-01T00:00:00Z');
    const a = await start(clock);
    const b = await start(clock);
    try {
      const ws = await buildWorkspace(a);
      const scope = { workspaceId: await workspaceId(a, ws) };
      const task = await buildTask(a, ws.admin.token, {
        name: 'Long think',
        notifyOn: 'NEVER',
        action: { type: 'PROMPT', prompt: 'Think hard.' },
      });
      chat.next({ delayMs: 10_000 });
      const asked = chat.requests.length;
      await gql(a.url, `mutation($id: ID!) { runTaskNow(id: $id) { id } }`, { id: task.id }, ws.admin.token);
      expect((await a.app.tasks.tick(scope)).started).toBe(1);
      while (chat.requests.length === asked) await new Promise((r) => setTimeout(r, 20)); // it is thinking
      await a.close();
      const [interrupted] = (await readTask(b, ws.admin.token, task.id)).runs;
      expect(interrupted).toMatchObject({ status: 'PENDING', attempt: 1 });
      expect(interrupted.error).toMatch(/^interrupted/);
      expect((await b.app.tasks.tick(scope)).started).toBe(1);
      await b.app.tasks.idle();
      const [done] = (await readTask(b, ws.admin.token, task.id)).runs;
      expect(done).toMatchObject({ status: 'SUCCESS', attempt: 1, output: 'Done: Think hard.', error: null });
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('a run whose instance died', () => {
  it('is retried once its lease is over, or failed when no attempt is left', async () => {
    let now = new Date('2032-04-01T00:00:00Z');
    const server = await start(() => now);
    try {
      const ws = await buildWorkspace(server);
      const scope = { workspaceId: await workspaceId(server, ws) };
      const retried = await buildTask(server, ws.admin.token, { name: 'Retried', maxAttempts: 2, notifyOn: 'NEVER' });
      const failed = await buildTask(server, ws.admin.token, { name: 'Failed', notifyOn: 'FAILURE' });
      for (const task of [retried, failed]) {
        await gql(server.url, `mutation($id: ID!) { runTaskNow(id: $id) { id } }`, { id: task.id }, ws.admin.token);
      }
      // As if another instance had started both and died: RUNNING, with leases ending at 00:06.
      await sql`
        update task_executions set status = 'RUNNING', started_at = ${now},
               lease_expires_at = ${new Date('2032-04-01T00:06:00Z')}
         where task_id = any(${[retried.id, failed.id]}::uuid[])`.execute(db(server));
      expect((await server.app.tasks.tick({ ...scope, now: new Date('2032-04-01T00:05:59Z') })).recovered).toBe(0);
      now = new Date('2032-04-01T00:06:01Z');
      expect((await server.app.tasks.tick(scope)).recovered).toBe(2);
      await server.app.tasks.idle();
      const [lost] = (await readTask(server, ws.admin.token, failed.id)).runs;
      expect(lost).toMatchObject({ status: 'FAILED', attempt: 1, error: 'lost: the server running it stopped' });
      const [waiting] = (await readTask(server, ws.admin.token, retried.id)).runs;
      expect(waiting).toMatchObject({ status: 'PENDING', attempt: 2, nextAttemptAt: '2032-04-01T00:07:01.000Z' });
      now = new Date('2032-04-01T00:07:01Z');
      await server.app.tasks.tick(scope);
      await server.app.tasks.idle();
      const [again] = (await readTask(server, ws.admin.token, retried.id)).runs;
      expect(again).toMatchObject({ status: 'SUCCESS', attempt: 2 });
    } finally {
      await server.close();
    }
  });
});
