import { gql } from './support/client';
import { buildMember, buildWorkspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
beforeAll(async () => {
  // A signed-in viewer read again mid-measurement would add a statement: keep it cached throughout.
  server = await startTestServer({ VIEWER_CACHE_SECONDS: '300' });
});
afterAll(async () => {
  await server?.close();
});

/** SQL statements the server sent while running one operation. */
async function statementsFor(query: string, token: string): Promise<{ count: number; data: any }> {
  const before = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
  const res = await gql(server.url, query, {}, token);
  expect(res.errors).toBeUndefined();
  const after = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
  return { count: after - before, data: res.data };
}

describe('the read path', () => {
  it('sends the same number of SQL statements for a list of 2 and a list of 10, relations included', async () => {
    const ws = await buildWorkspace(server);
    const members = [];
    for (let i = 0; i < 10; i += 1) members.push(await buildMember(server, ws, { displayName: `M${i}` }));
    // four admins each mark a different "new member" notification read, so readBy has four users
    const admins = [ws.admin.token];
    for (const m of members.slice(0, 3)) {
      await gql(
        server.url,
        'mutation($id: ID!) { updateMemberRole(userId: $id, role: ADMIN) { id } }',
        { id: m.user.id },
        ws.admin.token,
      );
      admins.push(m.token);
    }
    const list = await gql(
      server.url,
      '{ notifications(first: 20) { edges { node { id audience } } } }',
      {},
      ws.admin.token,
    );
    const toAdmins = list.data?.notifications.edges.filter((e: any) => e.node.audience === 'ADMINS');
    for (const [i, token] of admins.entries()) {
      await gql(
        server.url,
        'mutation($id: ID!) { markNotificationRead(id: $id) { id } }',
        { id: toAdmins[i].node.id },
        token,
      );
    }

    const notifications = (n: number) =>
      `{ notifications(first: ${n}) { totalCount edges { node { id readBy { id displayName workspace { name } } } } } }`;
    const small = await statementsFor(notifications(2), ws.admin.token);
    const large = await statementsFor(notifications(10), ws.admin.token);
    const readers = new Set(large.data.notifications.edges.map((e: any) => e.node.readBy?.id).filter(Boolean));
    expect(readers.size).toBeGreaterThanOrEqual(3);
    expect(large.count).toBe(small.count);

    const membersQuery = (n: number) =>
      `{ workspace { members(first: ${n}) { edges { node { id workspace { id } } } } } }`;
    const few = await statementsFor(membersQuery(2), ws.admin.token);
    const many = await statementsFor(membersQuery(10), ws.admin.token);
    expect(many.data.workspace.members.edges).toHaveLength(10);
    expect(many.count).toBe(few.count);
    // just the page: the viewer's session was read by an earlier request, and the workspace row is
    // not needed for these fields
    expect(many.count).toBe(1);
  });
});
