import { errorCode, gql, subscribe, wsClient } from './support/client';
import { buildMember, buildWorkspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

// Two instances need one shared database and a Redis: run with DATABASE_URL and REDIS_URL.
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

(shared ? describe : describe.skip)('Redis pub/sub across two instances', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer({ REDIS_URL: process.env.REDIS_URL! });
    b = await startTestServer({ REDIS_URL: process.env.REDIS_URL! });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('delivers to a subscriber on one instance what a mutation on the other published', async () => {
    const ws = await buildWorkspace(a);
    const client = wsClient(b.url, ws.admin.token);
    try {
      const events = subscribe(client, 'subscription { notificationReceived { title message } }');
      await new Promise((r) => setTimeout(r, 300));
      await buildMember(a, ws, { displayName: 'Across Instances' });
      const event = await events.next();
      expect(event.notificationReceived.message).toContain('Across Instances');
      const count = await gql(b.url, '{ unreadNotificationCount }', {}, ws.admin.token);
      expect(count.data?.unreadNotificationCount).toBe(1);
    } finally {
      await client.dispose();
    }
  });

  it('applies a removal made on one instance at once on the other', async () => {
    const ws = await buildWorkspace(a);
    const member = await buildMember(a, ws);
    // instance B has seen (and keeps) the member's session
    expect((await gql(b.url, '{ me { role } }', {}, member.token)).data?.me.role).toBe('MEMBER');
    await gql(
      a.url,
      'mutation($id: ID!) { updateMemberRole(userId: $id, role: ADMIN) { id } }',
      { id: member.user.id },
      ws.admin.token,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect((await gql(b.url, '{ me { role } }', {}, member.token)).data?.me.role).toBe('ADMIN');
    await gql(a.url, 'mutation($id: ID!) { removeMember(userId: $id) }', { id: member.user.id }, ws.admin.token);
    await new Promise((r) => setTimeout(r, 200));
    expect(errorCode(await gql(b.url, '{ me { role } }', {}, member.token))).toBe('UNAUTHENTICATED');
  });
});
