import { errorCode, gql, type GraphQLResponse } from './support/client';
import { buildWorkspace, uniqueEmail, type Workspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let ws: Workspace;
beforeAll(async () => {
  server = await startTestServer();
  ws = await buildWorkspace(server);
});
afterAll(async () => {
  await server?.close();
});

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }';
const LOG_IN = 'mutation($input: LogInInput!) { logIn(input: $input) { accessToken } }';
const valid = () => ({ email: uniqueEmail('v'), password: 'long enough pw', displayName: 'Val', workspaceName: 'W' });

function expectClean(res: GraphQLResponse<unknown>, code: string) {
  expect(errorCode(res)).toBe(code);
  for (const error of res.errors ?? []) {
    expect(error.extensions?.stacktrace).toBeUndefined();
    expect(error.message).not.toMatch(/\bat \S+ \(|node_modules|violates|relation "/);
  }
}

describe('bad input gets a coded error, never a crash', () => {
  it.each([
    ['a malformed email', { email: 'not-an-email' }, /email/],
    ['a short password', { password: 'short' }, /password/],
    ['an empty display name', { displayName: '' }, /displayName/],
    ['both a workspace name and an invite', { inviteToken: 'abc' }, /either/],
    ['neither a workspace name nor an invite', { workspaceName: null }, /either/],
    ['an unknown invite', { workspaceName: null, inviteToken: 'nope' }, /invite/],
  ])('signUp with %s', async (_label, patch, message) => {
    const res = await gql(server.url, SIGN_UP, { input: { ...valid(), ...patch } });
    expectClean(res, 'BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(message);
  });

  it('signUp with missing or mistyped fields', async () => {
    expectClean(await gql(server.url, SIGN_UP, { input: { email: 'a@b.c' } }), 'BAD_USER_INPUT');
    expectClean(await gql(server.url, SIGN_UP, { input: { ...valid(), password: 12345678 } }), 'BAD_USER_INPUT');
  });

  it('logIn with empty or oversized values', async () => {
    expectClean(await gql(server.url, LOG_IN, { input: { email: '', password: '' } }), 'UNAUTHENTICATED');
    expectClean(await gql(server.url, LOG_IN, { input: { email: 'x'.repeat(400), password: 'p' } }), 'BAD_USER_INPUT');
  });

  it('refreshSession with garbage', async () => {
    expectClean(
      await gql(server.url, 'mutation { refreshSession(refreshToken: "garbage") { accessToken } }'),
      'UNAUTHENTICATED',
    );
  });

  it('member and notification mutations with malformed ids or enums', async () => {
    const t = ws.admin.token;
    expectClean(
      await gql(server.url, 'mutation { updateMemberRole(userId: "42", role: ADMIN) { id } }', {}, t),
      'BAD_USER_INPUT',
    );
    expectClean(
      await gql(server.url, 'mutation { updateMemberRole(userId: "42", role: OWNER) { id } }', {}, t),
      'GRAPHQL_VALIDATION_FAILED',
    );
    expectClean(
      await gql(server.url, 'mutation { removeMember(userId: "\'; drop table users; --") }', {}, t),
      'BAD_USER_INPUT',
    );
    expectClean(await gql(server.url, 'mutation { markNotificationRead(id: "nope") { id } }', {}, t), 'BAD_USER_INPUT');
    expectClean(await gql(server.url, 'mutation { regenerateInviteToken }'), 'UNAUTHENTICATED');
    expectClean(await gql(server.url, 'mutation { markAllNotificationsRead }'), 'UNAUTHENTICATED');
    expectClean(await gql(server.url, 'mutation { logOut }'), 'UNAUTHENTICATED');
  });

  it('a syntax error or an unknown field', async () => {
    const syntax = await gql(server.url, '{ me { id }');
    expect(syntax.status).toBe(400);
    expectClean(syntax, 'GRAPHQL_PARSE_FAILED');
    expectClean(await gql(server.url, '{ me { password } }', {}, ws.admin.token), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('leaves nothing half-written when sign-up fails', async () => {
    const email = uniqueEmail('half');
    await gql(server.url, SIGN_UP, { input: { ...valid(), email, workspaceName: null, inviteToken: 'nope' } });
    const rows = await server.app.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ n: number }>>('select count(*)::int as n from users where email = ?', [email]);
    expect(rows[0]?.n).toBe(0);
  });
});
