import { sql } from 'kysely';
import { errorCode, gql } from './support/client';
import { buildWorkspace, type Workspace } from './support/factories';
import { FakeGithub } from './support/fake-github';
import {
  deliver,
  deliveryHeaders,
  issuesPayload,
  pingPayload,
  pullRequestPayload,
  pushPayload,
  sha,
} from './support/github-deliveries';
import { rows } from './support/home-assistant';
import { connect, createPet, pet, TestClock, webhookSecret } from './support/quest';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let github: FakeGithub;
let ws: Workspace;
let integrationId: string;
let hook: { payloadUrl: string; secret: string };
let petId: string;
const clock = new TestClock(new Date('2026-11-18T12:00:00Z'));

beforeAll(async () => {
  github = await FakeGithub.start({ clientId: 'gh-app', clientSecret: 'gh-app-secret', login: 'octocat', userId: 1 });
  server = await startTestServer(github.env(), { clock: clock.fn });
  ws = await buildWorkspace(server);
  integrationId = (await connect(server, ws.admin.token, 'GITHUB')).integration.id;
  hook = await webhookSecret(server, ws.admin.token, integrationId);
  petId = (await createPet(server, ws.admin.token)).id;
});
afterAll(async () => {
  await server?.close();
  await github?.close();
});

const EVENTS = `query($f: QuestEventFilter) { questEvents(first: 100, filter: $f) { totalCount
  edges { node { kind externalId value title repository occurredAt xp rawEvent { deliveryId eventType status } } } } }`;
const events = async (filter: Record<string, unknown> = {}) =>
  (await gql(server.url, EVENTS, { f: filter }, ws.admin.token)).data?.questEvents;
const raw = async (delivery: string) =>
  (
    await rows<{ status: string; error: string | null; note: string | null; event_count: number }>(
      server,
      sql`select status, error, note, event_count from raw_events where integration_id = ${integrationId} and delivery_id = ${delivery}`,
    )
  )[0];
const xp = async () => (await pet(server, ws.admin.token, petId)).state.xp as number;

describe('the webhook secret', () => {
  it('is shown once, stored sealed, and tells GitHub where to deliver', async () => {
    expect(hook.payloadUrl).toBe(`${server.url.replace(/\/graphql$/, '')}/webhooks/github/${integrationId}`);
    expect(hook.secret).toMatch(/^[0-9a-f]{64}$/);
    const [row] = await rows<{ encrypted_webhook_secret: string }>(
      server,
      sql`select encrypted_webhook_secret from integrations where id = ${integrationId}`,
    );
    expect(row!.encrypted_webhook_secret).toMatch(/^sb1\./);
    expect(row!.encrypted_webhook_secret).not.toContain(hook.secret);
    const listed = await gql(
      server.url,
      '{ integrations { edges { node { webhookSecretSet } } } }',
      {},
      ws.admin.token,
    );
    expect(JSON.stringify(listed.data)).not.toContain(hook.secret);
    expect(listed.data?.integrations.edges[0].node.webhookSecretSet).toBe(true);
  });
});

describe('deliveries', () => {
  it('with a bad or missing signature are rejected, audited and not stored', async () => {
    const payload = pushPayload('octo/pet', 'octocat', [
      { message: 'x', username: 'octocat', timestamp: '2026-11-18T10:00:00Z' },
    ]);
    const wrongSecret = await deliver(hook.payloadUrl, 'push', payload, 'not the secret');
    expect(wrongSecret.status).toBe(401);
    const tampered = await deliver(hook.payloadUrl, 'push', payload, hook.secret, {
      body: JSON.stringify({ ...payload, ref: 'refs/heads/evil' }),
      headers: {
        'x-hub-signature-256': deliveryHeaders('push', JSON.stringify(payload), hook.secret)['x-hub-signature-256'],
      },
    });
    expect(tampered.status).toBe(401);
    const unsigned = await deliver(hook.payloadUrl, 'push', payload, hook.secret, {
      headers: { 'x-hub-signature-256': '' },
    });
    expect(unsigned.status).toBe(401);
    for (const d of [wrongSecret, tampered, unsigned]) expect(await raw(d.delivery)).toBeUndefined();
    const audit = await rows<{ error_message: string; user_id: string; workspace_id: string; details: any }>(
      server,
      sql`select error_message, user_id, workspace_id, details from audit_logs
           where action = 'quest.webhook_rejected' and target_id = ${integrationId} order by created_at, id`,
    );
    expect(audit.map((a) => a.error_message)).toEqual([
      'signature does not match',
      'signature does not match',
      'X-Hub-Signature-256 missing',
    ]);
    expect(audit[0]).toMatchObject({
      user_id: ws.admin.user.id,
      details: { event: 'push', delivery: wrongSecret.delivery },
    });
    const unknown = hook.payloadUrl.replace(integrationId, '00000000-0000-4000-8000-000000000000');
    expect((await deliver(unknown, 'push', payload, hook.secret)).status).toBe(404);
    expect(
      (await deliver(hook.payloadUrl.replace(integrationId, 'not-an-id'), 'push', payload, hook.secret)).status,
    ).toBe(404);
    expect(await xp()).toBe(0);
  });

  it('of a push become one event per own commit, once per delivery and once per commit', async () => {
    const mine = [sha(), sha(), sha()];
    const payload = pushPayload('octo/pet', 'octocat', [
      { sha: mine[0], message: 'Feed the pet\n\nDetails', username: 'octocat', timestamp: '2026-11-18T09:00:00+01:00' },
      { sha: mine[1], message: 'Let it rest', username: 'octocat', timestamp: '2026-11-18T09:30:00+01:00' },
      { message: 'Friendly help', username: 'hubot', timestamp: '2026-11-18T09:40:00+01:00' },
      { sha: mine[2], message: 'Play', username: 'octocat', timestamp: '2026-11-18T09:50:00+01:00' },
    ]);
    const first = await deliver(hook.payloadUrl, 'push', payload, hook.secret);
    expect(first).toMatchObject({ status: 200, body: { status: 'PROCESSED', events: 3 } });
    expect(await raw(first.delivery)).toEqual({
      status: 'PROCESSED',
      error: null,
      note: '1 commit(s) not counted',
      event_count: 3,
    });
    const listed = await events({ kinds: ['COMMIT'] });
    expect(listed.totalCount).toBe(3);
    expect(listed.edges.map((e: any) => e.node)).toEqual([
      {
        kind: 'COMMIT',
        externalId: mine[2],
        value: 1,
        title: 'Play',
        repository: 'octo/pet',
        occurredAt: '2026-11-18T08:50:00.000Z',
        xp: 10,
        rawEvent: { deliveryId: first.delivery, eventType: 'push', status: 'PROCESSED' },
      },
      expect.objectContaining({ externalId: mine[1], title: 'Let it rest' }),
      expect.objectContaining({ externalId: mine[0], title: 'Feed the pet' }),
    ]);
    expect(await xp()).toBe(30);

    // GitHub redelivers the same delivery: answered, nothing stored twice.
    const again = await deliver(hook.payloadUrl, 'push', payload, hook.secret, { delivery: first.delivery });
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    // The same commits pushed to another branch arrive in a new delivery: stored, but counted once.
    const branch = await deliver(hook.payloadUrl, 'push', { ...payload, ref: 'refs/heads/feature' }, hook.secret);
    expect(branch.body).toMatchObject({ status: 'PROCESSED', events: 0 });
    expect((await events({ kinds: ['COMMIT'] })).totalCount).toBe(3);
    const deliveries = await rows<{ n: number }>(
      server,
      sql`select count(*)::int as n from raw_events where integration_id = ${integrationId} and event_type = 'push'`,
    );
    expect(deliveries[0]!.n).toBe(2);
    expect(await xp()).toBe(30);
  });

  it('of merged pull requests and closed issues count; other actions and pings are kept but ignored', async () => {
    const merged = await deliver(
      hook.payloadUrl,
      'pull_request',
      pullRequestPayload('octo/pet', 'octocat', { number: 5 }),
      hook.secret,
    );
    expect(merged.body).toMatchObject({ status: 'PROCESSED', events: 1 });
    const unmerged = await deliver(
      hook.payloadUrl,
      'pull_request',
      pullRequestPayload('octo/pet', 'octocat', { number: 6, merged: false }),
      hook.secret,
    );
    expect(unmerged.body).toMatchObject({ status: 'IGNORED', events: 0 });
    const opened = await deliver(
      hook.payloadUrl,
      'pull_request',
      pullRequestPayload('octo/pet', 'octocat', { action: 'opened', number: 7 }),
      hook.secret,
    );
    expect(opened.body).toMatchObject({ status: 'IGNORED' });
    const closed = await deliver(hook.payloadUrl, 'issues', issuesPayload('octo/pet', 'octocat'), hook.secret);
    expect(closed.body).toMatchObject({ status: 'PROCESSED', events: 1 });
    const reopenedAndClosed = await deliver(
      hook.payloadUrl,
      'issues',
      issuesPayload('octo/pet', 'octocat', { closedAt: '2026-11-18T11:00:00Z' }),
      hook.secret,
    );
    expect(reopenedAndClosed.body).toMatchObject({ status: 'PROCESSED', events: 0 });
    const ping = await deliver(hook.payloadUrl, 'ping', pingPayload('octo/pet'), hook.secret);
    expect(ping.body).toMatchObject({ status: 'IGNORED' });
    expect(await raw(ping.delivery)).toMatchObject({ status: 'IGNORED', note: 'ping' });

    const counted = await events({ kinds: ['PULL_REQUEST_MERGED', 'ISSUE_CLOSED'] });
    expect(counted.edges.map((e: any) => [e.node.kind, e.node.xp])).toEqual(
      expect.arrayContaining([
        ['PULL_REQUEST_MERGED', 40],
        ['ISSUE_CLOSED', 20],
      ]),
    );
    expect(counted.totalCount).toBe(2);
    expect(await xp()).toBe(90);
  });

  it('that cannot be normalised are kept with their error, never dropped', async () => {
    const broken = await deliver(
      hook.payloadUrl,
      'push',
      { ref: 'refs/heads/main', repository: { full_name: 'octo/pet' } },
      hook.secret,
    );
    expect(broken).toMatchObject({
      status: 200,
      body: { status: 'FAILED', events: 0, error: expect.stringMatching(/commits/) },
    });
    const garbage = await deliver(hook.payloadUrl, 'push', null, hook.secret, { body: '{"ref": "refs/heads/ma' });
    expect(garbage.body).toMatchObject({ status: 'FAILED', error: 'the body is not JSON' });
    const list = await gql(
      server.url,
      `{ rawEvents(first: 10, filter: { status: FAILED }) { totalCount edges { node { id deliveryId error eventType payload } } } }`,
      {},
      ws.admin.token,
    );
    expect(list.data?.rawEvents.totalCount).toBe(2);
    const [kept, first] = list.data?.rawEvents.edges.map((e: any) => e.node) ?? [];
    expect(kept).toMatchObject({ deliveryId: garbage.delivery, payload: { body: '{"ref": "refs/heads/ma' } });
    expect(first).toMatchObject({ deliveryId: broken.delivery, error: expect.stringMatching(/not a push payload/) });
    expect(first.payload).toEqual({ ref: 'refs/heads/main', repository: { full_name: 'octo/pet' } });
  });

  it('in the form encoding are read too; a rotated secret replaces the old one', async () => {
    const payload = pushPayload('octo/pet', 'octocat', [
      { message: 'Form', username: 'octocat', timestamp: '2026-11-18T11:30:00Z' },
    ]);
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const form = await deliver(hook.payloadUrl, 'push', payload, hook.secret, {
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.body).toMatchObject({ status: 'PROCESSED', events: 1 });

    const rotated = await webhookSecret(server, ws.admin.token, integrationId);
    const old = await deliver(hook.payloadUrl, 'ping', pingPayload('octo/pet'), hook.secret);
    expect(old.status).toBe(401);
    const fresh = await deliver(rotated.payloadUrl, 'ping', pingPayload('octo/pet'), rotated.secret);
    expect(fresh.status).toBe(200);
    hook = rotated;
    const missing = await deliver(hook.payloadUrl, 'push', payload, hook.secret, {
      headers: { 'x-github-delivery': '' },
    });
    expect(missing.status).toBe(400);
    const notFitbit = await gql(
      server.url,
      'mutation { connectIntegration(provider: FITBIT) { authorizationUrl } }',
      {},
      ws.admin.token,
    );
    expect(errorCode(notFitbit)).toBe('BAD_USER_INPUT');
  });
});

describe('the event lists', () => {
  it('cost the same number of SQL statements for 2 events as for 6, raw events and payloads included', async () => {
    const statements = async (first: number) => {
      const before = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
      const res = await gql(
        server.url,
        `{ questEvents(first: ${first}) { edges { node { id rawEvent { deliveryId payload } } } } }`,
        {},
        ws.admin.token,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.questEvents.edges).toHaveLength(first);
      return ((await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0) - before;
    };
    const few = await statements(2);
    expect(await statements(6)).toBe(few);
    expect(few).toBeLessThanOrEqual(3);
  });
});
