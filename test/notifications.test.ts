import { errorCode, gql, subscribe, wsClient } from './support/client';
import { buildMember, buildWorkspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const LIST = `query($unreadOnly: Boolean) { unreadNotificationCount notifications(first: 10, unreadOnly: $unreadOnly) {
  totalCount edges { node { id title message severity audience read sourceType } } } }`;
const RECEIVED = 'subscription { notificationReceived { id title message audience } }';

describe('notifications', () => {
  it('tells the admins live when a member joins, and not the members', async () => {
    const ws = await buildWorkspace(server);
    const firstMember = await buildMember(server, ws);
    const adminClient = wsClient(server.url, ws.admin.token);
    const memberClient = wsClient(server.url, firstMember.token);
    try {
      const adminEvents = subscribe(adminClient, RECEIVED);
      const memberEvents = subscribe(memberClient, RECEIVED);
      // the subscription is live once the server has acknowledged it; give it a moment
      await new Promise((r) => setTimeout(r, 200));
      const joined = await buildMember(server, ws, { displayName: 'Nia New' });
      const event = await adminEvents.next();
      expect(event.notificationReceived).toMatchObject({ title: 'New member', audience: 'ADMINS' });
      expect(event.notificationReceived.message).toContain('Nia New');
      await expect(memberEvents.next(500)).rejects.toThrow(/no event/);

      const adminList = await gql(server.url, LIST, {}, ws.admin.token);
      expect(adminList.data?.unreadNotificationCount).toBe(2);
      expect(adminList.data?.notifications.edges[0].node).toMatchObject({ sourceType: 'user', read: false });
      const memberList = await gql(server.url, LIST, {}, joined.token);
      expect(memberList.data?.notifications.totalCount).toBe(0);
    } finally {
      await adminClient.dispose();
      await memberClient.dispose();
    }
  });

  it('marks one or all notifications read', async () => {
    const ws = await buildWorkspace(server);
    await buildMember(server, ws);
    await buildMember(server, ws);
    await buildMember(server, ws);
    const list = await gql(server.url, LIST, {}, ws.admin.token);
    const [first] = list.data?.notifications.edges ?? [];
    const read = await gql(
      server.url,
      'mutation($id: ID!) { markNotificationRead(id: $id) { id read readAt } }',
      { id: first.node.id },
      ws.admin.token,
    );
    expect(read.data?.markNotificationRead).toMatchObject({
      id: first.node.id,
      read: true,
      readAt: expect.any(String),
    });
    const unread = await gql(server.url, LIST, { unreadOnly: true }, ws.admin.token);
    expect(unread.data?.unreadNotificationCount).toBe(2);
    expect(unread.data?.notifications.totalCount).toBe(2);
    const all = await gql(server.url, 'mutation { markAllNotificationsRead }', {}, ws.admin.token);
    expect(all.data?.markAllNotificationsRead).toBe(2);
    expect((await gql(server.url, LIST, {}, ws.admin.token)).data?.unreadNotificationCount).toBe(0);
  });

  it('tells a member when their role changes', async () => {
    const ws = await buildWorkspace(server);
    const member = await buildMember(server, ws);
    const client = wsClient(server.url, member.token);
    try {
      const events = subscribe(client, RECEIVED);
      await new Promise((r) => setTimeout(r, 200));
      await gql(
        server.url,
        'mutation($id: ID!) { updateMemberRole(userId: $id, role: ADMIN) { id } }',
        { id: member.user.id },
        ws.admin.token,
      );
      const event = await events.next();
      expect(event.notificationReceived).toMatchObject({ title: 'Your role changed', audience: 'USER' });
    } finally {
      await client.dispose();
    }
  });

  it('refuses a subscription without a token', async () => {
    const client = wsClient(server.url);
    try {
      const events = subscribe(client, RECEIVED);
      await expect(events.next()).rejects.toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('answers NOT_FOUND for an id that is not a visible notification', async () => {
    const ws = await buildWorkspace(server);
    const res = await gql(
      server.url,
      'mutation($id: ID!) { markNotificationRead(id: $id) { id } }',
      { id: '01890000-0000-7000-8000-000000000000' },
      ws.admin.token,
    );
    expect(errorCode(res)).toBe('NOT_FOUND');
  });
});
