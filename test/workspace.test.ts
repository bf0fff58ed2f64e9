import { errorCode, gql } from './support/client';
import { buildMember, buildWorkspace, type Workspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const MEMBERS = `query($first: Int, $after: String, $filter: MemberFilter, $orderBy: MemberOrder) {
  workspace { members(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id displayName email role } }
  } }
}`;

interface MembersPage {
  workspace: {
    members: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: Array<{ node: { id: string; displayName: string; email: string; role: string } }>;
    };
  };
}

describe('members', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await buildWorkspace(server);
    for (const name of ['Bea', 'Cal', 'Dee', 'Eve']) await buildMember(server, ws, { displayName: name });
  });

  it('pages through members with keyset cursors and counts them', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      const res: Awaited<ReturnType<typeof gql<MembersPage>>> = await gql<MembersPage>(
        server.url,
        MEMBERS,
        { first: 2, after },
        ws.admin.token,
      );
      expect(res.errors).toBeUndefined();
      const members = res.data!.workspace.members;
      expect(members.totalCount).toBe(5);
      seen.push(...members.edges.map((e) => e.node.displayName));
      after = members.pageInfo.endCursor;
      expect(members.pageInfo.hasNextPage).toBe(page < 2);
    }
    expect(seen).toEqual(['Ada Admin', 'Bea', 'Cal', 'Dee', 'Eve']);
  });

  it('filters by text and orders by name', async () => {
    const res = await gql<MembersPage>(
      server.url,
      MEMBERS,
      { first: 10, filter: { text: 'e' }, orderBy: { field: 'DISPLAY_NAME', direction: 'DESC' } },
      ws.admin.token,
    );
    // every member's email contains an "e"; names in reverse order
    expect(res.data!.workspace.members.edges.map((e) => e.node.displayName)).toEqual([
      'Eve',
      'Dee',
      'Cal',
      'Bea',
      'Ada Admin',
    ]);
    const only = await gql<MembersPage>(server.url, MEMBERS, { first: 10, filter: { text: 'dee' } }, ws.admin.token);
    expect(only.data!.workspace.members.edges.map((e) => e.node.displayName)).toEqual(['Dee']);
    expect(only.data!.workspace.members.totalCount).toBe(1);
  });

  it('refuses a bad cursor or page size with BAD_USER_INPUT', async () => {
    expect(errorCode(await gql(server.url, MEMBERS, { first: 2, after: 'garbage' }, ws.admin.token))).toBe(
      'BAD_USER_INPUT',
    );
    expect(errorCode(await gql(server.url, MEMBERS, { first: 1000 }, ws.admin.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(server.url, MEMBERS, { first: -1 }, ws.admin.token))).toBe('BAD_USER_INPUT');
  });
});

describe('invite token', () => {
  it('is shown to admins only and can be regenerated, which retires the old one', async () => {
    const ws = await buildWorkspace(server);
    const member = await buildMember(server, ws);
    const seenByMember = await gql(server.url, '{ workspace { inviteToken } }', {}, member.token);
    expect(seenByMember.data?.workspace.inviteToken).toBeNull();
    expect(errorCode(await gql(server.url, 'mutation { regenerateInviteToken }', {}, member.token))).toBe('FORBIDDEN');

    const regenerated = await gql(server.url, 'mutation { regenerateInviteToken }', {}, ws.admin.token);
    const fresh = regenerated.data?.regenerateInviteToken as string;
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(ws.inviteToken);
    await expect(buildMember(server, ws)).rejects.toThrow(/invite token is not valid/);
    const joined = await buildMember(server, { ...ws, inviteToken: fresh });
    expect(joined.user.role).toBe('MEMBER');
  });
});

describe('roles', () => {
  const SET_ROLE = 'mutation($id: ID!, $role: Role!) { updateMemberRole(userId: $id, role: $role) { id role } }';
  const REMOVE = 'mutation($id: ID!) { removeMember(userId: $id) }';

  it('lets admins change roles, never leaving a workspace without an admin', async () => {
    const ws = await buildWorkspace(server);
    const member = await buildMember(server, ws);
    expect(errorCode(await gql(server.url, SET_ROLE, { id: ws.admin.user.id, role: 'MEMBER' }, member.token))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await gql(server.url, SET_ROLE, { id: ws.admin.user.id, role: 'MEMBER' }, ws.admin.token))).toBe(
      'CONFLICT',
    );

    const promoted = await gql(server.url, SET_ROLE, { id: member.user.id, role: 'ADMIN' }, ws.admin.token);
    expect(promoted.data?.updateMemberRole).toEqual({ id: member.user.id, role: 'ADMIN' });
    // the new role applies to the member's very next request
    const me = await gql(server.url, '{ me { role } workspace { inviteToken } }', {}, member.token);
    expect(me.data).toMatchObject({ me: { role: 'ADMIN' }, workspace: { inviteToken: expect.any(String) } });
    const demoted = await gql(server.url, SET_ROLE, { id: ws.admin.user.id, role: 'MEMBER' }, member.token);
    expect(demoted.data?.updateMemberRole.role).toBe('MEMBER');

    const audit = await server.app.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ action: string; details: { from: string; to: string } }>>(
        `select action, details from audit_logs where target_id = ? and action = 'member.role_changed'`,
        [ws.admin.user.id],
      );
    expect(audit.map((a) => a.details)).toEqual([{ from: 'ADMIN', to: 'MEMBER' }]);
  });

  it('removes a member, whose token then stops working', async () => {
    const ws = await buildWorkspace(server);
    const member = await buildMember(server, ws);
    expect(errorCode(await gql(server.url, REMOVE, { id: ws.admin.user.id }, member.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(server.url, REMOVE, { id: ws.admin.user.id }, ws.admin.token))).toBe('CONFLICT');
    const removed = await gql(server.url, REMOVE, { id: member.user.id }, ws.admin.token);
    expect(removed.data?.removeMember).toBe(true);
    expect(errorCode(await gql(server.url, '{ me { id } }', {}, member.token))).toBe('UNAUTHENTICATED');
    const members = await gql<MembersPage>(server.url, MEMBERS, { first: 10 }, ws.admin.token);
    expect(members.data!.workspace.members.edges.map((e) => e.node.id)).toEqual([ws.admin.user.id]);
    expect(errorCode(await gql(server.url, REMOVE, { id: member.user.id }, ws.admin.token))).toBe('NOT_FOUND');
  });
});
