import { errorCode, gql } from './support/client';
import { buildMember, buildWorkspace, uniqueEmail, USER_FIELDS } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { accessToken refreshToken user { ${USER_FIELDS} } } }`;
const ME = `{ me { ${USER_FIELDS} workspace { id name } } }`;

describe('sign-up', () => {
  it('creates a workspace whose first user is its admin', async () => {
    const ws = await buildWorkspace(server);
    const me = await gql(server.url, ME, {}, ws.admin.token);
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toMatchObject({ email: ws.admin.email, role: 'ADMIN', workspace: { name: ws.name } });
  });

  it('joins an existing workspace as a member with its invite token', async () => {
    const ws = await buildWorkspace(server);
    const member = await buildMember(server, ws);
    expect(member.user.role).toBe('MEMBER');
    const me = await gql(server.url, ME, {}, member.token);
    expect(me.data?.me.workspace.name).toBe(ws.name);
  });

  it('treats emails case-insensitively and refuses a second account', async () => {
    const email = uniqueEmail('Case');
    await buildWorkspace(server, { email: email.toUpperCase() });
    const again = await gql(server.url, 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }', {
      input: { email: email.toLowerCase(), password: 'another password', displayName: 'X', workspaceName: 'Y' },
    });
    expect(errorCode(again)).toBe('CONFLICT');
    const login = await gql(server.url, LOG_IN, {
      input: { email: email.toLowerCase(), password: 'correct horse battery' },
    });
    expect(login.data?.logIn.user.email).toBe(email.toLowerCase());
  });
});

describe('sign-in', () => {
  it('signs in, and failures do not reveal whether the email exists', async () => {
    const ws = await buildWorkspace(server);
    const ok = await gql(server.url, LOG_IN, { input: { email: ws.admin.email, password: ws.admin.password } });
    expect(ok.data?.logIn.user.id).toBe(ws.admin.user.id);

    const wrongPassword = await gql(server.url, LOG_IN, {
      input: { email: ws.admin.email, password: 'nope nope nope' },
    });
    const unknownEmail = await gql(server.url, LOG_IN, {
      input: { email: uniqueEmail('ghost'), password: 'nope nope nope' },
    });
    expect(errorCode(wrongPassword)).toBe('UNAUTHENTICATED');
    expect(errorCode(unknownEmail)).toBe('UNAUTHENTICATED');
    expect(wrongPassword.errors?.[0]?.message).toBe(unknownEmail.errors?.[0]?.message);
  });

  it('writes every sign-in and failure to the audit log', async () => {
    const ws = await buildWorkspace(server);
    await gql(server.url, LOG_IN, { input: { email: ws.admin.email, password: ws.admin.password } });
    await gql(server.url, LOG_IN, { input: { email: ws.admin.email, password: 'wrong password' } });
    const rows = await server.app.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ action: string; success: boolean; user_id: string }>>(
        `select action, success, user_id from audit_logs where user_id = ? and action = 'auth.sign_in' order by created_at`,
        [ws.admin.user.id],
      );
    expect(rows.map((r) => r.success)).toEqual([true, false]);
  });
});

describe('sessions', () => {
  it('rotates refresh tokens: the old one stops working', async () => {
    const ws = await buildWorkspace(server);
    const REFRESH = 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }';
    const first = await gql(server.url, REFRESH, { t: ws.admin.refreshToken });
    expect(first.data?.refreshSession.refreshToken).toBeTruthy();
    const me = await gql(server.url, ME, {}, first.data?.refreshSession.accessToken);
    expect(me.data?.me.id).toBe(ws.admin.user.id);
    const reused = await gql(server.url, REFRESH, { t: ws.admin.refreshToken });
    expect(errorCode(reused)).toBe('UNAUTHENTICATED');
  });

  it('logOut revokes the session: its access and refresh tokens stop working', async () => {
    const ws = await buildWorkspace(server);
    const out = await gql(server.url, 'mutation { logOut }', {}, ws.admin.token);
    expect(out.data?.logOut).toBe(true);
    expect(errorCode(await gql(server.url, ME, {}, ws.admin.token))).toBe('UNAUTHENTICATED');
    const refresh = await gql(
      server.url,
      'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }',
      {
        t: ws.admin.refreshToken,
      },
    );
    expect(errorCode(refresh)).toBe('UNAUTHENTICATED');
  });

  it('answers UNAUTHENTICATED to a missing, forged or expired token', async () => {
    const ws = await buildWorkspace(server);
    expect(errorCode(await gql(server.url, ME))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(server.url, ME, {}, `${ws.admin.token}x`))).toBe('UNAUTHENTICATED');
    const [, payload] = ws.admin.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as {
      sub: string;
      wid: string;
      sid: string;
    };
    const expired = await server.app.tokens.signAccess(
      { userId: claims.sub, workspaceId: claims.wid, sessionId: claims.sid },
      new Date(Date.now() - 3_600_000),
    );
    expect(errorCode(await gql(server.url, ME, {}, expired.token))).toBe('UNAUTHENTICATED');
  });
});
