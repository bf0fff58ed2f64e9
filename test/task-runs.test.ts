import { errorCode, gql, subscribe, wsClient } from './support/client';
import { FakeChatCompletions } from './support/fake-chat-completions';
import { buildMember, buildWorkspace, type Workspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';
import { buildTask, readTask } from './support/tasks';

const API_KEY = 'sk-test-0123456789';
let now = new Date('2026-06-01T00:00:00Z');
let chat: FakeChatCompletions;
let server: TestServer;
let ws: Workspace;

beforeAll(async () => {
  chat = await new FakeChatCompletions(API_KEY).start();
  server = await startTestServer(
    { AI_BASE_URL: chat.baseUrl, AI_API_KEY: API_KEY, AI_MODEL: 'test-model', TASK_OUTPUT_MAX_BYTES: '1024' },
    { clock: () => now },
  );
});
// Each test has a workspace of its own, so that its rounds run only its own tasks.
beforeEach(async () => {
  ws = await buildWorkspace(server);
});
afterAll(async () => {
  await server?.close();
  await chat?.close();
});

/** One scheduler round at `at` over this file's workspace, then every run it started to its end. */
async function tickAt(at: string, workspace = ws) {
  now = new Date(at);
  const result = await server.app.tasks.tick({ now, workspaceId: await workspaceId(workspace) });
  await server.app.tasks.idle();
  return result;
}

const workspaceIds = new Map<Workspace, string>();
async function workspaceId(workspace: Workspace): Promise<string> {
  let id = workspaceIds.get(workspace);
  if (!id) {
    const res = await gql(server.url, '{ workspace { id } }', {}, workspace.admin.token);
    id = res.data?.workspace.id as string;
    workspaceIds.set(workspace, id);
  }
  return id;
}

const UPDATED = `subscription($taskId: ID!) { taskExecutionUpdated(taskId: $taskId) {
  id status kind attempt scheduledFor startedAt finishedAt error nextAttemptAt output task { id name lastRunAt } } }`;

/** Collects `count` events of the subscription. */
async function events(sub: { next(ms?: number): Promise<any> }, count: number) {
  const out = [];
  for (let i = 0; i < count; i += 1) out.push((await sub.next(8000)).taskExecutionUpdated);
  return out;
}

describe('a scheduled PROMPT task', () => {
  it('runs at its time in its time zone, with the owner’s memories, and every state is pushed', async () => {
    now = new Date('2026-06-01T00:00:00Z');
    await gql(
      server.url,
      'mutation { setAiMemory(key: "home_city", value: "Lisbon", category: "places") { key } }',
      {},
      ws.admin.token,
    );
    const task = await buildTask(server, ws.admin.token, {
      name: 'Weather plan',
      cron: '0 9 * * *',
      timeZone: 'Europe/Lisbon',
      action: { type: 'PROMPT', prompt: 'Plan my day around the weather.' },
    });
    // 09:00 in Lisbon (summer time) is 08:00Z
    expect(task.nextRunAt).toBe('2026-06-01T08:00:00.000Z');
    const client = wsClient(server.url, ws.admin.token);
    try {
      const sub = subscribe(client, UPDATED, { taskId: task.id });
      await new Promise((r) => setTimeout(r, 200));
      expect((await tickAt('2026-06-01T07:59:59Z')).claimed).toBe(0);
      expect(await tickAt('2026-06-01T08:00:00.250Z')).toMatchObject({ claimed: 1, started: 1 });
      const seen = await events(sub, 3);
      expect(seen.map((e) => e.status)).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
      expect(new Set(seen.map((e) => e.id)).size).toBe(1);
      expect(seen[2]).toMatchObject({
        kind: 'SCHEDULED',
        attempt: 1,
        scheduledFor: '2026-06-01T08:00:00.000Z',
        startedAt: '2026-06-01T08:00:00.250Z',
        finishedAt: '2026-06-01T08:00:00.250Z',
        error: null,
        // read afresh for each event, not from an earlier event's cache
        output: 'Done: Plan my day around the weather.',
        task: { id: task.id, name: 'Weather plan', lastRunAt: '2026-06-01T08:00:00.250Z' },
      });
      sub.close();
    } finally {
      await client.dispose();
    }
    const asked = chat.requests.at(-1)!;
    expect(asked.model).toBe('test-model');
    expect(asked.authorization).toBe(`Bearer ${API_KEY}`);
    expect(asked.messages[0]).toMatchObject({ role: 'system' });
    expect(asked.messages[0]!.content).toContain('[places] home_city: Lisbon');
    expect(asked.messages[1]).toEqual({ role: 'user', content: 'Plan my day around the weather.' });
    const state = await readTask(server, ws.admin.token, task.id);
    expect(state).toMatchObject({ lastRunAt: '2026-06-01T08:00:00.250Z', nextRunAt: '2026-06-02T08:00:00.000Z' });
    expect(state.runs).toHaveLength(1);
    expect(state.runs[0]).toMatchObject({ status: 'SUCCESS', output: 'Done: Plan my day around the weather.' });
    expect(state.runs[0].durationMs).toBeGreaterThanOrEqual(0);
    // A second round at the same time runs nothing again.
    expect((await tickAt('2026-06-01T08:00:05Z')).claimed).toBe(0);
    const notes = await gql(
      server.url,
      '{ notifications(first: 1) { edges { node { title message severity sourceType sourceId link } } } }',
      {},
      ws.admin.token,
    );
    expect(notes.data?.notifications.edges[0].node).toEqual({
      title: 'Weather plan: succeeded',
      message: 'Done: Plan my day around the weather.',
      severity: 'INFO',
      sourceType: 'task',
      sourceId: task.id,
      link: `/tasks/${task.id}`,
    });
  });

  it('retries a failing run with backoff, then fails, pushing each attempt', async () => {
    now = new Date('2026-06-02T00:00:00Z');
    const task = await buildTask(server, ws.admin.token, {
      name: 'Flaky',
      cron: '30 6 * * *',
      maxAttempts: 3,
      retryBackoffSeconds: 10,
      notifyOn: 'FAILURE',
      action: { type: 'PROMPT', prompt: 'Summarise the news.' },
    });
    chat.next(
      { status: 500, message: 'The server had an error' },
      { status: 503, message: 'overloaded' },
      { status: 500, message: 'still broken' },
    );
    const client = wsClient(server.url, ws.admin.token);
    try {
      const sub = subscribe(client, UPDATED, { taskId: task.id });
      await new Promise((r) => setTimeout(r, 200));
      await tickAt('2026-06-02T06:30:00Z');
      expect((await tickAt('2026-06-02T06:30:09Z')).started).toBe(0); // the backoff is not over
      await tickAt('2026-06-02T06:30:10Z'); // second attempt after 10 s
      await tickAt('2026-06-02T06:30:30Z'); // third after 20 s more
      const seen = await events(sub, 7);
      expect(seen.map((e) => [e.status, e.attempt])).toEqual([
        ['PENDING', 1],
        ['RUNNING', 1],
        ['PENDING', 2],
        ['RUNNING', 2],
        ['PENDING', 3],
        ['RUNNING', 3],
        ['FAILED', 3],
      ]);
      expect(seen[2]).toMatchObject({ nextAttemptAt: '2026-06-02T06:30:10.000Z' });
      expect(seen[2].error).toMatch(/HTTP 500: The server had an error/);
      expect(seen[4]).toMatchObject({ nextAttemptAt: '2026-06-02T06:30:30.000Z' });
      expect(seen[6].error).toBe('the AI server answered HTTP 500: still broken');
      sub.close();
    } finally {
      await client.dispose();
    }
    const state = await readTask(server, ws.admin.token, task.id);
    expect(state.runs).toHaveLength(1);
    expect(state.runs[0]).toMatchObject({ status: 'FAILED', attempt: 3, finishedAt: '2026-06-02T06:30:30.000Z' });
    const notes = await gql(
      server.url,
      '{ notifications(first: 1) { edges { node { title severity message } } } }',
      {},
      ws.admin.token,
    );
    expect(notes.data?.notifications.edges[0].node).toEqual({
      title: 'Flaky: failed',
      severity: 'ERROR',
      message: 'the AI server answered HTTP 500: still broken',
    });
  });

  it('stops a run at its timeout and records it as TIMED_OUT', async () => {
    now = new Date('2026-06-03T00:00:00Z');
    const task = await buildTask(server, ws.admin.token, {
      name: 'Slow',
      cron: '0 12 * * *',
      timeoutSeconds: 1,
      action: { type: 'PROMPT', prompt: 'Take your time.' },
    });
    chat.next({ delayMs: 4000 });
    const started = Date.now();
    await tickAt('2026-06-03T12:00:00Z');
    expect(Date.now() - started).toBeLessThan(3500);
    const state = await readTask(server, ws.admin.token, task.id);
    expect(state.runs[0]).toMatchObject({ status: 'TIMED_OUT', error: 'timed out after 1 s', output: null });
    expect(state.runs[0].durationMs).toBeGreaterThanOrEqual(990);
  });

  it('never overlaps itself: a run still going when the next is due is SKIPPED', async () => {
    now = new Date('2026-06-04T09:59:30Z');
    const task = await buildTask(server, ws.admin.token, {
      name: 'Every minute',
      cron: '* * * * *',
      notifyOn: 'NEVER',
      action: { type: 'PROMPT', prompt: 'Tick.' },
    });
    chat.next({ delayMs: 1500 });
    now = new Date('2026-06-04T10:00:00.100Z');
    const wsId = await workspaceId(ws);
    expect(await server.app.tasks.tick({ now, workspaceId: wsId })).toMatchObject({ claimed: 1, started: 1 });
    // the 10:01 time comes while the 10:00 run is still going
    now = new Date('2026-06-04T10:01:00.100Z');
    expect(await server.app.tasks.tick({ now, workspaceId: wsId })).toMatchObject({ claimed: 1, started: 0 });
    const manual = await gql(
      server.url,
      `mutation($id: ID!) { runTaskNow(id: $id) { status kind error } }`,
      { id: task.id },
      ws.admin.token,
    );
    expect(manual.data?.runTaskNow).toEqual({
      status: 'SKIPPED',
      kind: 'MANUAL',
      error: 'skipped: the previous run was still going',
    });
    await server.app.tasks.idle();
    await tickAt('2026-06-04T10:02:00Z');
    const state = await readTask(server, ws.admin.token, task.id);
    expect(state.runs.map((r: any) => [r.kind, r.scheduledFor, r.status])).toEqual([
      ['SCHEDULED', '2026-06-04T10:02:00.000Z', 'SUCCESS'],
      ['MANUAL', null, 'SKIPPED'],
      ['SCHEDULED', '2026-06-04T10:01:00.000Z', 'SKIPPED'],
      ['SCHEDULED', '2026-06-04T10:00:00.000Z', 'SUCCESS'],
    ]);
    const feed = await gql(
      server.url,
      `{ activity(first: 10, filter: { type: "task" }) { edges { node { type message payload } } } }`,
      {},
      ws.admin.token,
    );
    const entries = feed.data?.activity.edges.map((e: any) => e.node);
    expect(entries.map((e: any) => e.type).sort()).toEqual([
      'task.skipped',
      'task.skipped',
      'task.succeeded',
      'task.succeeded',
    ]);
    expect(entries[0].payload).toMatchObject({ taskId: task.id, status: 'SUCCESS' });
    expect(entries.find((e: any) => e.type === 'task.skipped').message).toBe(
      'Task "Every minute" skipped: the previous run was still going',
    );
  });

  it('keeps at most TASK_OUTPUT_MAX_BYTES of output', async () => {
    now = new Date('2026-06-05T00:00:00Z');
    const task = await buildTask(server, ws.admin.token, {
      name: 'Long answer',
      cron: '0 1 * * *',
      action: { type: 'PROMPT', prompt: 'Write a lot.' },
    });
    chat.next({ answer: 'é'.repeat(3000) }); // 6000 bytes
    await tickAt('2026-06-05T01:00:00Z');
    const [run] = (await readTask(server, ws.admin.token, task.id)).runs;
    expect(run.status).toBe('SUCCESS');
    expect(run.output).toBe(`${'é'.repeat(512)}\n… [4976 more bytes not kept]`);
  });

  it('runs now on request, also when disabled, and disabling skips what waits to start', async () => {
    now = new Date('2026-06-06T00:00:00Z');
    const task = await buildTask(server, ws.admin.token, {
      name: 'On demand',
      cron: '0 3 * * *',
      enabled: false,
      action: { type: 'PROMPT', prompt: 'Now, please.' },
    });
    expect(task.nextRunAt).toBeNull();
    const run = await gql(
      server.url,
      `mutation($id: ID!) { runTaskNow(id: $id) { id status kind scheduledFor } }`,
      { id: task.id },
      ws.admin.token,
    );
    expect(run.data?.runTaskNow).toMatchObject({ status: 'PENDING', kind: 'MANUAL', scheduledFor: null });
    await tickAt('2026-06-06T00:00:01Z');
    expect((await readTask(server, ws.admin.token, task.id)).runs[0].status).toBe('SUCCESS');
    // waiting to start, then the task is disabled
    await gql(server.url, `mutation($id: ID!) { runTaskNow(id: $id) { id } }`, { id: task.id }, ws.admin.token);
    const enabled = await gql(
      server.url,
      `mutation($id: ID!) { setTaskEnabled(id: $id, enabled: true) { enabled nextRunAt } }`,
      { id: task.id },
      ws.admin.token,
    );
    expect(enabled.data?.setTaskEnabled).toEqual({ enabled: true, nextRunAt: '2026-06-06T03:00:00.000Z' });
    await gql(
      server.url,
      `mutation($id: ID!) { setTaskEnabled(id: $id, enabled: false) { enabled nextRunAt } }`,
      { id: task.id },
      ws.admin.token,
    );
    const [waiting] = (await readTask(server, ws.admin.token, task.id)).runs;
    expect(waiting).toMatchObject({ status: 'SKIPPED', error: 'skipped: the task was disabled' });
  });

  it('is not found by anyone else — another workspace, or a member of the same one — nor run, nor followed', async () => {
    const task = await buildTask(server, ws.admin.token, { name: 'Private' });
    const other = await buildWorkspace(server);
    const member = await buildMember(server, ws);
    for (const token of [other.admin.token, member.token]) {
      for (const query of [
        `query($id: ID!) { task(id: $id) { id } }`,
        `mutation($id: ID!) { runTaskNow(id: $id) { id } }`,
        `mutation($id: ID!) { deleteTask(id: $id) }`,
        `mutation($id: ID!) { setTaskEnabled(id: $id, enabled: false) { id } }`,
        `mutation($id: ID!) { updateTask(input: { id: $id, name: "Mine now" }) { id } }`,
      ]) {
        expect(errorCode(await gql(server.url, query, { id: task.id }, token))).toBe('NOT_FOUND');
      }
      const list = await gql(server.url, '{ tasks(first: 50) { totalCount } }', {}, token);
      expect(list.data?.tasks.totalCount).toBe(0);
    }
    const client = wsClient(server.url, other.admin.token);
    try {
      const sub = subscribe(client, UPDATED, { taskId: task.id });
      await new Promise((r) => setTimeout(r, 200));
      await gql(server.url, `mutation($id: ID!) { runTaskNow(id: $id) { id } }`, { id: task.id }, ws.admin.token);
      await expect(sub.next(800)).rejects.toThrow(/no event/);
      sub.close();
    } finally {
      await client.dispose();
    }
  });
});
