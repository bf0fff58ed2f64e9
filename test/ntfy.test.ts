import { errorCode, gql, subscribe, wsClient } from './support/client';
import { FakeNtfy } from './support/fake-ntfy';
import { buildMember, buildWorkspace, type SignedIn } from './support/factories';
import { startTestServer, type TestServer } from './support/server';
import { buildTask } from './support/tasks';

const CREDENTIALS = { username: 'homeos', password: 'ntfy-secret-password' };
const now = new Date('2026-07-01T10:00:00Z');
let ntfy: FakeNtfy;
let server: TestServer;

beforeAll(async () => {
  ntfy = await new FakeNtfy(CREDENTIALS).start();
  server = await startTestServer(
    {
      NTFY_URL: ntfy.url,
      NTFY_USERNAME: CREDENTIALS.username,
      NTFY_PASSWORD: CREDENTIALS.password,
      NTFY_MAX_ATTEMPTS: '3',
      NTFY_RETRY_MS: '1000',
      APP_URL: 'https://home.example.com',
    },
    { clock: () => now },
  );
});
afterAll(async () => {
  await server?.close();
  await ntfy?.close();
});

let topicCounter = 0;
async function withTopic(user: SignedIn): Promise<string> {
  topicCounter += 1;
  const topic = `homeos_${process.pid}_${Date.now().toString(36)}_${topicCounter}`;
  const res = await gql(
    server.url,
    `mutation($topic: String) { updateNotificationSettings(input: { ntfyTopic: $topic }) { ntfyTopic pushAvailable } }`,
    { topic },
    user.token,
  );
  expect(res.data?.updateNotificationSettings).toEqual({ ntfyTopic: topic, pushAvailable: true });
  return topic;
}

/** A NOTIFY task run now: one notification for its owner. */
async function notifyNow(user: SignedIn, message: string, workspaceId: string) {
  const task = await buildTask(server, user.token, {
    name: 'Bins',
    notifyOn: 'NEVER',
    action: { type: 'NOTIFY', message },
  });
  await gql(server.url, `mutation($id: ID!) { runTaskNow(id: $id) { id } }`, { id: task.id }, user.token);
  await server.app.tasks.tick({ now, workspaceId });
  await server.app.tasks.idle();
  return task;
}

async function latest(user: SignedIn) {
  const res = await gql(
    server.url,
    '{ notifications(first: 1) { edges { node { id title message deliveryStatus deliveryError deliveredAt } } } }',
    {},
    user.token,
  );
  return res.data?.notifications.edges[0]?.node;
}

async function workspaceIdOf(user: SignedIn): Promise<string> {
  return (await gql(server.url, '{ workspace { id } }', {}, user.token)).data?.workspace.id;
}

describe('pushes to ntfy', () => {
  it('send each notification to its recipient’s topic: title, message, priority, tags, click', async () => {
    const ws = await buildWorkspace(server);
    const topic = await withTopic(ws.admin);
    const task = await notifyNow(ws.admin, 'Put the bins out', await workspaceIdOf(ws.admin));
    expect(await latest(ws.admin)).toMatchObject({ title: 'Bins', deliveryStatus: 'PENDING', deliveredAt: null });
    expect(await server.app.push.tick()).toBeGreaterThanOrEqual(1);
    expect(await latest(ws.admin)).toMatchObject({
      deliveryStatus: 'SENT',
      deliveryError: null,
      deliveredAt: '2026-07-01T10:00:00.000Z',
    });
    const [sent] = ntfy.of(topic);
    expect(sent).toMatchObject({
      topic,
      title: 'Bins',
      message: 'Put the bins out',
      priority: 3,
      tags: ['information_source', 'task'],
      authorization: `Basic ${Buffer.from('homeos:ntfy-secret-password').toString('base64')}`,
    });
    expect(sent?.click).toBeUndefined(); // the NOTIFY action links nowhere
    expect(ntfy.of(topic)).toHaveLength(1);
    await server.app.push.tick();
    expect(ntfy.of(topic)).toHaveLength(1); // sent once

    // A failed run: an ERROR, so priority 5, with a link to the task in the app
    const failing = await buildTask(server, ws.admin.token, {
      name: 'Ping the NAS',
      notifyOn: 'FAILURE',
      action: { type: 'WEBHOOK', url: 'http://127.0.0.1:1/unreachable', timeoutMs: 500 },
    });
    await gql(server.url, `mutation($id: ID!) { runTaskNow(id: $id) { id } }`, { id: failing.id }, ws.admin.token);
    await server.app.tasks.tick({ now, workspaceId: await workspaceIdOf(ws.admin) });
    await server.app.tasks.idle();
    await server.app.push.tick();
    expect(ntfy.of(topic)[1]).toMatchObject({
      title: 'Ping the NAS: failed',
      priority: 5,
      tags: ['rotating_light', 'task'],
      click: `https://home.example.com/tasks/${failing.id}`,
    });
    expect(task.id).toBeDefined();
  });

  it('reach every admin with a topic for notifications to the admins, and nobody without one', async () => {
    const ws = await buildWorkspace(server);
    const topic = await withTopic(ws.admin);
    const member = await buildMember(server, ws); // "New member" goes to the admins
    expect(await latest(ws.admin)).toMatchObject({ title: 'New member', deliveryStatus: 'PENDING' });
    await server.app.push.tick();
    expect(ntfy.of(topic).map((m) => m.title)).toEqual(['New member']);
    expect(await latest(ws.admin)).toMatchObject({ deliveryStatus: 'SENT' });
    // the member has no topic: in-app only
    await notifyNow(member, 'For the member', await workspaceIdOf(member));
    expect(await latest(member)).toMatchObject({ message: 'For the member', deliveryStatus: 'NOT_REQUIRED' });
  });

  it('retry a failing ntfy with backoff, keeping the error, and never hold up the in-app notification', async () => {
    const ws = await buildWorkspace(server);
    const topic = await withTopic(ws.admin);
    const client = wsClient(server.url, ws.admin.token);
    try {
      const received = subscribe(client, 'subscription { notificationReceived { title deliveryStatus } }');
      await new Promise((r) => setTimeout(r, 200));
      ntfy.failNext(500, 429);
      await notifyNow(ws.admin, 'Water the plants', await workspaceIdOf(ws.admin));
      expect((await received.next()).notificationReceived).toEqual({ title: 'Bins', deliveryStatus: 'PENDING' });
      received.close();
    } finally {
      await client.dispose();
    }
    await server.app.push.tick();
    expect(await latest(ws.admin)).toMatchObject({
      deliveryStatus: 'PENDING',
      deliveryError: 'ntfy answered HTTP 500: Internal Server Error',
    });
    // the first retry waits NTFY_RETRY_MS, the next twice as long
    await server.app.push.tick(new Date(now.getTime() + 999));
    expect(ntfy.of(topic)).toHaveLength(0);
    await server.app.push.tick(new Date(now.getTime() + 1000));
    expect(await latest(ws.admin)).toMatchObject({
      deliveryStatus: 'PENDING',
      deliveryError: 'ntfy answered HTTP 429: Too Many Requests',
    });
    await server.app.push.tick(new Date(now.getTime() + 3000));
    expect(await latest(ws.admin)).toMatchObject({ deliveryStatus: 'SENT', deliveryError: null });
    expect(ntfy.of(topic).map((m) => m.message)).toEqual(['Water the plants']);
  });

  it('give up after NTFY_MAX_ATTEMPTS, or at once when ntfy refuses for good', async () => {
    const ws = await buildWorkspace(server);
    await withTopic(ws.admin);
    ntfy.failNext(500, 502, 503);
    await notifyNow(ws.admin, 'Third time lucky?', await workspaceIdOf(ws.admin));
    for (const after of [0, 1000, 3000]) await server.app.push.tick(new Date(now.getTime() + after));
    expect(await latest(ws.admin)).toMatchObject({
      deliveryStatus: 'FAILED',
      deliveryError: 'ntfy answered HTTP 503: Service Unavailable',
    });
    ntfy.failNext(403);
    await notifyNow(ws.admin, 'Forbidden', await workspaceIdOf(ws.admin));
    await server.app.push.tick();
    expect(await latest(ws.admin)).toMatchObject({
      message: 'Forbidden',
      deliveryStatus: 'FAILED',
      deliveryError: 'ntfy answered HTTP 403: Forbidden',
    });
  });

  it('keep the in-app notification when ntfy is unreachable', async () => {
    const offline = await startTestServer({ NTFY_URL: 'http://127.0.0.1:1' }, { clock: () => now });
    try {
      const ws = await buildWorkspace(offline);
      await gql(
        offline.url,
        'mutation { updateNotificationSettings(input: { ntfyTopic: "offline_topic" }) { ntfyTopic } }',
        {},
        ws.admin.token,
      );
      await buildMember(offline, ws);
      await offline.app.push.tick();
      const res = await gql(
        offline.url,
        '{ notifications(first: 1) { edges { node { title deliveryStatus deliveryError } } } }',
        {},
        ws.admin.token,
      );
      expect(res.data?.notifications.edges[0].node).toMatchObject({ title: 'New member', deliveryStatus: 'PENDING' });
      expect(res.data?.notifications.edges[0].node.deliveryError).toMatch(/^ntfy unreachable/);
    } finally {
      await offline.close();
    }
  });

  it('take a topic of letters, digits, - and _ only, and clear it with null', async () => {
    const ws = await buildWorkspace(server);
    const bad = await gql(
      server.url,
      'mutation { updateNotificationSettings(input: { ntfyTopic: "no spaces/here" }) { ntfyTopic } }',
      {},
      ws.admin.token,
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    await withTopic(ws.admin);
    const cleared = await gql(
      server.url,
      'mutation { updateNotificationSettings(input: { ntfyTopic: null }) { ntfyTopic } }',
      {},
      ws.admin.token,
    );
    expect(cleared.data?.updateNotificationSettings).toEqual({ ntfyTopic: null });
    const other = await buildWorkspace(server);
    const read = await gql(server.url, '{ notificationSettings { ntfyTopic pushAvailable } }', {}, other.admin.token);
    expect(read.data?.notificationSettings).toEqual({ ntfyTopic: null, pushAvailable: true });
  });
});
