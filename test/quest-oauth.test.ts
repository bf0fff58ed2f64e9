import { sql } from 'kysely';
import { errorCode, gql } from './support/client';
import { buildWorkspace, type Workspace } from './support/factories';
import { FakeFitbit } from './support/fake-fitbit';
import { FakeGithub } from './support/fake-github';
import { rows } from './support/home-assistant';
import { Browser, connect, INTEGRATION_FIELDS, TestClock, workspaceOf } from './support/quest';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let github: FakeGithub;
let fitbit: FakeFitbit;
const clock = new TestClock(new Date('2026-11-20T09:00:00Z'));

beforeAll(async () => {
  github = await FakeGithub.start({
    clientId: 'Iv1.gh-client',
    clientSecret: 'gh-secret',
    login: 'octocat',
    userId: 583231,
  });
  fitbit = await FakeFitbit.start({
    clientId: '23ABCD',
    clientSecret: 'fitbit-secret',
    userId: '7QX9ZP',
    displayName: 'Ada',
    timezone: 'Europe/Berlin',
  });
  server = await startTestServer({ ...github.env(), ...fitbit.env() }, { clock: clock.fn });
});
afterAll(async () => {
  await server?.close();
  await github?.close();
  await fitbit?.close();
});

const CONNECT = `mutation($p: QuestProvider!) { connectIntegration(provider: $p) { authorizationUrl expiresAt integration { id status } } }`;
const base = () => server.url.replace(/\/graphql$/, '');
const integration = async (id: string, token: string) =>
  (await gql(server.url, `query($id: ID!) { integration(id: $id) { ${INTEGRATION_FIELDS} } }`, { id }, token)).data
    ?.integration;
const audits = (id: string) =>
  rows<{ action: string; success: boolean; error_message: string | null }>(
    server,
    sql`select action, success, error_message from audit_logs where target_id = ${id} order by created_at, id`,
  );

/** Starts an authorization and takes the browser to the provider's redirect back (not followed). */
async function startFlow(ws: Workspace, provider: 'GITHUB' | 'FITBIT', browser = new Browser()) {
  const res = await gql(server.url, CONNECT, { p: provider }, ws.admin.token);
  const { authorizationUrl, integration: created } = res.data!.connectIntegration;
  const start = await browser.get(authorizationUrl);
  expect(start.status).toBe(302);
  const atProvider = await browser.get(start.location!);
  expect(atProvider.status).toBe(302);
  return { id: created.id as string, callback: atProvider.location!, providerUrl: start.location!, browser };
}

describe('connecting GitHub', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await buildWorkspace(server);
  });

  it('runs the authorization-code flow with PKCE and stores the tokens sealed', async () => {
    const { id, callback, providerUrl, browser } = await startFlow(ws, 'GITHUB');
    const authorize = new URL(providerUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${github.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe('Iv1.gh-client');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base()}/oauth/github/callback`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('scope')).toBe('read:user');
    expect(await integration(id, ws.admin.token)).toMatchObject({ status: 'PENDING' });

    const done = await browser.get(callback);
    expect(done.status).toBe(200);
    expect(done.body).toMatch(/GitHub is connected/);
    const connected = await integration(id, ws.admin.token);
    expect(connected).toMatchObject({
      provider: 'GITHUB',
      status: 'CONNECTED',
      accountId: '583231',
      accountName: 'octocat',
      scopes: ['read:user'],
      tokenExpiresAt: null,
      webhookSecretSet: false,
      webhookUrl: `${base()}/webhooks/github/${id}`,
    });
    const [row] = await rows<{ encrypted_access_token: string; oauth_nonce: string | null }>(
      server,
      sql`select encrypted_access_token, oauth_nonce from integrations where id = ${id}`,
    );
    expect(row!.encrypted_access_token).toMatch(/^sb1\.1\./);
    expect(row!.encrypted_access_token).not.toMatch(/gho_/);
    expect(row!.oauth_nonce).toBeNull();
    const tokenRequest = github.requests.find((r) => r.path === '/login/oauth/access_token')!;
    expect(new URLSearchParams(tokenRequest.body).get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await audits(id)).map((a) => a.action)).toEqual(['quest.oauth_started', 'quest.integration_connected']);
  });

  it('refuses a bad state: forged, of another provider, from another browser, used twice, expired', async () => {
    const flow = await startFlow(ws, 'GITHUB');
    const url = new URL(flow.callback);
    const state = url.searchParams.get('state')!;

    const forged = new URL(url);
    forged.searchParams.set('state', `${state.slice(0, -3)}${state.endsWith('AAA') ? 'BBB' : 'AAA'}`);
    const other = new URL(url.toString().replace('/oauth/github/', '/oauth/fitbit/'));
    for (const attempt of [forged, other]) {
      const page = await flow.browser.get(attempt.toString());
      expect(page.status).toBe(400);
      expect(page.body).toMatch(/invalid or has expired/);
    }
    const elsewhere = await new Browser().get(flow.callback);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body).toMatch(/another browser/);
    expect(await integration(flow.id, ws.admin.token)).toMatchObject({ status: 'CONNECTED', accountName: 'octocat' });

    const cookies = new Map(flow.browser.cookies);
    expect((await flow.browser.get(flow.callback)).status).toBe(200);
    flow.browser.cookies.clear();
    for (const [k, v] of cookies) flow.browser.cookies.set(k, v);
    const replay = await flow.browser.get(flow.callback);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatch(/already completed/);

    const late = await gql(server.url, CONNECT, { p: 'GITHUB' }, ws.admin.token);
    clock.advanceHours(0.2);
    const expired = await new Browser().get(late.data!.connectIntegration.authorizationUrl);
    expect(expired.status).toBe(400);
    const failures = (await audits(flow.id)).filter((a) => a.action === 'quest.oauth_failed');
    expect(failures.map((a) => a.error_message)).toEqual(
      expect.arrayContaining(['state not from this browser', 'state already used']),
    );
    const anonymous = await rows<{ n: number }>(
      server,
      sql`select count(*)::int as n from audit_logs where action = 'quest.oauth_failed' and error_message = 'invalid state'`,
    );
    expect(anonymous[0]!.n).toBeGreaterThanOrEqual(2);
  });

  it('keeps the integration pending when the user denies access', async () => {
    const other = await buildWorkspace(server);
    github.denyNext = true;
    const { integration: denied, page } = await connect(server, other.admin.token, 'GITHUB');
    expect(page.status).toBe(400);
    expect(page.body).toMatch(/did not authorize/);
    expect(denied).toMatchObject({ status: 'PENDING', lastError: expect.stringMatching(/access_denied/) });
  });

  it('disconnects: the grant is revoked at GitHub, tokens forgotten, the webhook closed', async () => {
    const other = await buildWorkspace(server);
    const { integration: connected } = await connect(server, other.admin.token, 'GITHUB');
    const res = await gql(
      server.url,
      `mutation($id: ID!) { disconnectIntegration(id: $id) { ${INTEGRATION_FIELDS} } }`,
      { id: connected.id },
      other.admin.token,
    );
    expect(res.data?.disconnectIntegration).toMatchObject({ status: 'DISCONNECTED', webhookSecretSet: false });
    expect(github.revoked).toHaveLength(1);
    const [row] = await rows<{ encrypted_access_token: string | null }>(
      server,
      sql`select encrypted_access_token from integrations where id = ${connected.id}`,
    );
    expect(row!.encrypted_access_token).toBeNull();
    const secret = await gql(
      server.url,
      'mutation($id: ID!) { createGithubWebhookSecret(integrationId: $id) { secret } }',
      { id: connected.id },
      other.admin.token,
    );
    expect(errorCode(secret)).toBe('CONFLICT');
  });
});

describe('connecting Fitbit', () => {
  it('connects with the profile time zone, refreshes before expiry, and once more when Fitbit calls a token expired', async () => {
    const ws = await buildWorkspace(server);
    const { integration: fb } = await connect(server, ws.admin.token, 'FITBIT');
    expect(fb).toMatchObject({ status: 'CONNECTED', accountId: '7QX9ZP', accountName: 'Ada', webhookUrl: null });
    expect(fb.scopes).toEqual(['activity', 'sleep', 'profile']);
    const expiresAt = new Date(fb.tokenExpiresAt).getTime();
    expect(expiresAt).toBe(clock.now.getTime() + 8 * 3_600_000);
    const tokenCalls = () =>
      fitbit.requests
        .filter((r) => r.path === '/oauth2/token')
        .map((r) => new URLSearchParams(r.body).get('grant_type'));
    expect(tokenCalls()).toEqual(['authorization_code']);
    const workspaceId = await workspaceOf(server, fb.id);

    // Seven hours later nothing is due; within ten minutes of expiry, the tick refreshes.
    clock.advanceHours(7);
    await server.app.quest.tokens.refreshExpiring(clock.now, workspaceId);
    expect(tokenCalls()).toEqual(['authorization_code']);
    clock.advanceHours(0.9);
    expect(await server.app.quest.tokens.refreshExpiring(clock.now, workspaceId)).toBe(1);
    expect(tokenCalls()).toEqual(['authorization_code', 'refresh_token']);
    const refreshed = await integration(fb.id, ws.admin.token);
    expect(new Date(refreshed.tokenExpiresAt).getTime()).toBe(clock.now.getTime() + 8 * 3_600_000);

    // Fitbit says the token expired before its time: refreshed once and the read repeated.
    fitbit.expireAccessTokens();
    const sync = await gql(
      server.url,
      'mutation($id: ID!) { syncIntegration(id: $id) { days error integration { status lastError } } }',
      { id: fb.id },
      ws.admin.token,
    );
    expect(sync.data?.syncIntegration).toMatchObject({
      error: null,
      integration: { status: 'CONNECTED', lastError: null },
    });
    expect(tokenCalls()).toEqual(['authorization_code', 'refresh_token', 'refresh_token']);

    // The user removed the app at Fitbit: the refresh is refused, the integration needs connecting again.
    fitbit.revokeAll();
    clock.advanceHours(8);
    await server.app.quest.tokens.refreshExpiring(clock.now, workspaceId);
    expect(await integration(fb.id, ws.admin.token)).toMatchObject({
      status: 'ERROR',
      lastError: expect.stringMatching(/invalid_grant|Refresh token invalid.*connect again/),
    });
    expect((await audits(fb.id)).map((a) => a.action)).toContain('quest.token_refresh_failed');
  });

  it('is refused for an unknown provider path and needs sign-in to start', async () => {
    expect((await new Browser().get(`${base()}/oauth/myspace/start?state=x`)).status).toBe(404);
    const anonymous = await gql(server.url, CONNECT, { p: 'FITBIT' });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });
});
