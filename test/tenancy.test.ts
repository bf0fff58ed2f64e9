import { errorCode, gql } from './support/client';
import { buildMember, buildWorkspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const STATE = `{ me { id role } workspace { id name inviteToken members(first: 50) { totalCount edges { node { id role } } } }
  notifications(first: 50) { totalCount edges { node { id read } } } unreadNotificationCount }`;

describe('a member of workspace B acting on workspace A', () => {
  it('sees nothing of A and changes nothing in A', async () => {
    const a = await buildWorkspace(server);
    const aMember = await buildMember(server, a);
    const b = await buildWorkspace(server);
    const before = await gql(server.url, STATE, {}, a.admin.token);
    const [aNotification] = before.data?.notifications.edges ?? [];
    expect(aNotification).toBeDefined();

    // B's admin (the most powerful role) tries every operation on A's ids.
    const attempts = [
      gql(
        server.url,
        'mutation($id: ID!) { updateMemberRole(userId: $id, role: ADMIN) { id } }',
        { id: aMember.user.id },
        b.admin.token,
      ),
      gql(
        server.url,
        'mutation($id: ID!) { updateMemberRole(userId: $id, role: MEMBER) { id } }',
        { id: a.admin.user.id },
        b.admin.token,
      ),
      gql(server.url, 'mutation($id: ID!) { removeMember(userId: $id) }', { id: aMember.user.id }, b.admin.token),
      gql(
        server.url,
        'mutation($id: ID!) { markNotificationRead(id: $id) { id } }',
        { id: aNotification.node.id },
        b.admin.token,
      ),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(errorCode(res)).toBe('NOT_FOUND');
      expect(res.data ?? null).toBeNull();
    }
    // what B can list holds nothing of A
    const bState = await gql(server.url, STATE, {}, b.admin.token);
    const bIds = JSON.stringify(bState.data);
    for (const id of [a.admin.user.id, aMember.user.id, aNotification.node.id, a.inviteToken])
      expect(bIds).not.toContain(id);
    expect(bState.data?.workspace.members.totalCount).toBe(1);
    // marking all read in B leaves A's notifications unread
    await gql(server.url, 'mutation { markAllNotificationsRead }', {}, b.admin.token);
    // A is exactly as it was
    expect(await gql(server.url, STATE, {}, a.admin.token)).toEqual(before);
  });

  it('cannot join A with its own token or a made-up invite', async () => {
    const a = await buildWorkspace(server);
    await expect(buildMember(server, { ...a, inviteToken: `${a.inviteToken}x` })).rejects.toThrow(
      /invite token is not valid/,
    );
  });
});
