import { sql } from 'kysely';
import { errorCode, gql, subscribe, wsClient } from './support/client';
import { buildWorkspace, type Workspace } from './support/factories';
import { FakeHomeAssistant } from './support/fake-home-assistant';
import { buildConnection, eventually, HA_TOKEN, rows, settle, tickFor } from './support/home-assistant';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let ha: FakeHomeAssistant;
let ws: Workspace;

beforeAll(async () => {
  server = await startTestServer({ HA_RECONNECT_MIN_MS: '20', HA_RECONNECT_MAX_MS: '100', HA_FLUSH_MS: '5' });
  ha = await FakeHomeAssistant.start({
    token: HA_TOKEN,
    components: ['light', 'switch', 'binary_sensor', 'automation'],
    states: [
      { entity_id: 'light.kitchen', state: 'off', attributes: { friendly_name: 'Kitchen' } },
      { entity_id: 'binary_sensor.front_door', state: 'off' },
    ],
  });
  ws = await buildWorkspace(server);
});
afterAll(async () => {
  await server?.close();
  await ha?.close();
});

const holder = () => server.app.homeAssistant.supervisor;
const status = async (id: string, token = ws.admin.token) =>
  (await gql(server.url, 'query($id: ID!) { haConnection(id: $id) { status lastError } }', { id }, token)).data
    ?.haConnection;
const events = async (connectionId: string, filter: Record<string, unknown> = {}) =>
  (
    await gql(
      server.url,
      `query($c: ID!, $f: HaEventFilter) { haEvents(connectionId: $c, first: 100, filter: $f) {
         totalCount edges { node { eventType entityId oldState newState contextId attributes } } } }`,
      { c: connectionId, f: filter },
      ws.admin.token,
    )
  ).data?.haEvents;

describe('Home Assistant connections', () => {
  it('are created with the token sealed, never returned, one per user and URL', async () => {
    const created = await buildConnection(server, ws.admin.token, { url: `${ha.url}/`, isActive: false });
    expect(created).toMatchObject({
      url: ha.url,
      status: 'DISCONNECTED',
      eventTypes: ['state_changed'],
      retentionDays: 90,
    });
    expect(JSON.stringify(created)).not.toContain(HA_TOKEN);
    const [row] = await rows<{ encrypted_token: string }>(
      server,
      sql`select encrypted_token from ha_connections where id = ${created.id}`,
    );
    expect(row!.encrypted_token).toMatch(/^sb1\.1\./);
    expect(row!.encrypted_token).not.toContain(HA_TOKEN);
    const again = await gql(
      server.url,
      'mutation($i: CreateHaConnectionInput!) { createHaConnection(input: $i) { id } }',
      { i: { name: 'Twice', url: ha.url, accessToken: HA_TOKEN } },
      ws.admin.token,
    );
    expect(errorCode(again)).toBe('CONFLICT');
    const bad = await gql(
      server.url,
      'mutation($i: CreateHaConnectionInput!) { createHaConnection(input: $i) { id } }',
      { i: { name: 'Bad', url: 'ftp://example.com', accessToken: HA_TOKEN } },
      ws.admin.token,
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    await gql(server.url, 'mutation($id: ID!) { deleteHaConnection(id: $id) }', { id: created.id }, ws.admin.token);
  });

  it('are tested: version and components recorded; a refused token marks AUTH_FAILED, audited', async () => {
    const good = await buildConnection(server, ws.admin.token, { url: ha.url, isActive: false });
    const result = await gql(
      server.url,
      'mutation($id: ID!) { testHaConnection(id: $id) { success status homeAssistantVersion componentCount error connection { supportedFeatures homeAssistantVersion } } }',
      { id: good.id },
      ws.admin.token,
    );
    expect(result.data?.testHaConnection).toMatchObject({
      success: true,
      homeAssistantVersion: '2026.11.1',
      componentCount: 4,
      error: null,
      connection: { supportedFeatures: ['automation', 'binary_sensor', 'light', 'switch'] },
    });
    const wrong = await gql(
      server.url,
      'mutation($i: UpdateHaConnectionInput!) { updateHaConnection(input: $i) { id } }',
      { i: { id: good.id, accessToken: 'not-the-token' } },
      ws.admin.token,
    );
    expect(wrong.errors).toBeUndefined();
    const refused = await gql(
      server.url,
      'mutation($id: ID!) { testHaConnection(id: $id) { success status error } }',
      { id: good.id },
      ws.admin.token,
    );
    expect(refused.data?.testHaConnection).toMatchObject({ success: false, status: 'AUTH_FAILED' });
    const audit = await rows<{ action: string; success: boolean; user_id: string; duration_ms: number | null }>(
      server,
      sql`select action, success, user_id, duration_ms from audit_logs where target_id = ${good.id} and action = 'ha.test' order by created_at`,
    );
    expect(audit.map((a) => a.success)).toEqual([true, false]);
    expect(audit.every((a) => a.user_id === ws.admin.user.id && a.duration_ms !== null)).toBe(true);
    await gql(server.url, 'mutation($id: ID!) { deleteHaConnection(id: $id) }', { id: good.id }, ws.admin.token);
  });
});

describe('live ingest', () => {
  let connectionId: string;
  beforeAll(async () => {
    connectionId = (await buildConnection(server, ws.admin.token, { url: ha.url, name: 'Live' })).id;
  });

  it('streams events into the log and to graphql-ws subscribers', async () => {
    const client = wsClient(server.url, ws.admin.token);
    try {
      const statuses = subscribe(client, 'subscription { haConnectionStatusChanged { id status } }');
      const live = subscribe(
        client,
        'subscription($c: ID) { haEvent(connectionId: $c, entityId: "light.kitchen") { entityId oldState newState attributes } }',
        { c: connectionId },
      );
      await new Promise((r) => setTimeout(r, 150));
      await tickFor(server, connectionId);
      expect((await statuses.next()).haConnectionStatusChanged).toMatchObject({
        id: connectionId,
        status: 'CONNECTING',
      });
      expect((await statuses.next()).haConnectionStatusChanged).toMatchObject({
        id: connectionId,
        status: 'CONNECTED',
      });
      expect(holder().held).toEqual([connectionId]);
      ha.setState('binary_sensor.front_door', 'on');
      ha.setState('light.kitchen', 'on', { brightness: 200, friendly_name: 'Kitchen' });
      const received = await live.next();
      expect(received.haEvent).toEqual({
        entityId: 'light.kitchen',
        oldState: 'off',
        newState: 'on',
        attributes: { brightness: 200, friendly_name: 'Kitchen' },
      });
    } finally {
      await client.dispose();
    }
    await settle(server);
    const stored = await events(connectionId);
    expect(stored.totalCount).toBe(2);
    expect(stored.edges.map((e: any) => `${e.node.entityId}:${e.node.oldState}>${e.node.newState}`)).toEqual([
      'light.kitchen:off>on',
      'binary_sensor.front_door:off>on',
    ]);
    const connected = await rows<{ action: string }>(
      server,
      sql`select action from audit_logs where target_id = ${connectionId} and action = 'ha.connect' and success`,
    );
    expect(connected).toHaveLength(1);
  });

  it('reconnects after Home Assistant goes away, resyncs what changed meanwhile, stores nothing twice', async () => {
    const before = (await events(connectionId)).totalCount as number;
    ha.refuseConnections(true);
    ha.dropConnections();
    await eventually(async () => (await status(connectionId))?.status === 'ERROR');
    // Changed while nobody listened: only get_states will tell.
    ha.setState('light.kitchen', 'off', { brightness: 0, friendly_name: 'Kitchen' });
    ha.refuseConnections(false);
    await eventually(async () => (await status(connectionId))?.status === 'CONNECTED');
    await settle(server);
    const after = await events(connectionId);
    expect(after.totalCount).toBe(before + 1);
    expect(after.edges[0].node).toMatchObject({ entityId: 'light.kitchen', oldState: 'on', newState: 'off' });
    const identities = await rows<{ n: number; distinct_n: number }>(
      server,
      sql`select count(*)::int as n, count(distinct (context_id, entity_id))::int as distinct_n from ha_events where connection_id = ${connectionId}`,
    );
    expect(identities[0]!.n).toBe(identities[0]!.distinct_n);
    const audit = await rows<{ action: string }>(
      server,
      sql`select action from audit_logs where target_id = ${connectionId} and action in ('ha.disconnect', 'ha.error') and not success`,
    );
    expect(audit.some((a) => a.action === 'ha.disconnect')).toBe(true);
  });

  it('calls services through the held connection, audited; refusals are clear errors', async () => {
    const call = await gql(
      server.url,
      'mutation($i: CallHaServiceInput!) { callHaService(input: $i) { contextId durationMs } }',
      { i: { connectionId, domain: 'light', service: 'turn_on', target: { entity_id: 'light.kitchen' } } },
      ws.admin.token,
    );
    expect(call.errors).toBeUndefined();
    expect(ha.calls.at(-1)).toMatchObject({
      domain: 'light',
      service: 'turn_on',
      target: { entity_id: 'light.kitchen' },
    });
    const unknown = await gql(
      server.url,
      'mutation($i: CallHaServiceInput!) { callHaService(input: $i) { contextId } }',
      { i: { connectionId, domain: 'vacuum', service: 'fly' } },
      ws.admin.token,
    );
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.message).toMatch(/Service not found/);
    const invalid = await gql(
      server.url,
      'mutation($i: CallHaServiceInput!) { callHaService(input: $i) { contextId } }',
      { i: { connectionId, domain: 'Light; drop', service: 'x' } },
      ws.admin.token,
    );
    expect(errorCode(invalid)).toBe('BAD_USER_INPUT');
    const audit = await rows<{ success: boolean; details: { domain: string } }>(
      server,
      sql`select success, details from audit_logs where target_id = ${connectionId} and action = 'ha.call_service' order by created_at`,
    );
    expect(audit.map((a) => [a.details.domain, a.success])).toEqual([
      ['light', true],
      ['vacuum', false],
    ]);
    const states = await gql(
      server.url,
      'query($c: ID!) { haStates(connectionId: $c) { entityId state } }',
      { c: connectionId },
      ws.admin.token,
    );
    expect(states.data?.haStates).toEqual(expect.arrayContaining([{ entityId: 'light.kitchen', state: 'on' }]));
  });

  it('samples health metrics into a bucketed series and the connection health', async () => {
    await gql(
      server.url,
      'query($c: ID!) { haStates(connectionId: $c) { entityId } }',
      { c: connectionId },
      ws.admin.token,
    );
    await holder().sampleMetrics();
    const res = await gql(
      server.url,
      `query($id: ID!, $from: DateTime!, $to: DateTime!) { haConnection(id: $id) {
         connectionHealth { uptime errorRate eventRate sampledAt }
         metrics(from: $from, to: $to, bucket: HOUR) { type average samples } } }`,
      {
        id: connectionId,
        from: new Date(Date.now() - 3_600_000).toISOString(),
        to: new Date(Date.now() + 3_600_000).toISOString(),
      },
      ws.admin.token,
    );
    expect(res.errors).toBeUndefined();
    const { connectionHealth, metrics } = res.data!.haConnection;
    expect(connectionHealth.uptime).toBeGreaterThan(0);
    expect(connectionHealth.eventRate).toBeGreaterThan(0);
    expect(metrics.map((m: any) => m.type).sort()).toEqual(
      expect.arrayContaining(['ERROR_RATE', 'EVENT_RATE', 'UPTIME']),
    );
  });

  it('stops for good when Home Assistant refuses the token, with an audit entry', async () => {
    ha.token = 'rotated-token';
    const attempts = ha.authAttempts;
    ha.dropConnections();
    await eventually(async () => (await status(connectionId))?.status === 'AUTH_FAILED');
    await new Promise((r) => setTimeout(r, 300));
    expect(ha.authAttempts).toBe(attempts + 1);
    await tickFor(server, connectionId);
    expect(holder().held).toEqual([]);
    const audit = await rows<{ action: string }>(
      server,
      sql`select action from audit_logs where target_id = ${connectionId} and action = 'ha.auth_failed'`,
    );
    expect(audit).toHaveLength(1);
    ha.token = HA_TOKEN;
  });
});
