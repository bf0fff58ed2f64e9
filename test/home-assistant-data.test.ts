import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { errorCode, gql, subscribe, wsClient } from './support/client';
import { buildWorkspace, type Workspace } from './support/factories';
import { FakeHomeAssistant } from './support/fake-home-assistant';
import { buildConnection, eventually, HA_TOKEN, rows, settle, tickFor } from './support/home-assistant';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let ha: FakeHomeAssistant;
let ws: Workspace;
let connectionId: string;
const logLines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  server = await startTestServer({ HA_FLUSH_MS: '5', LOG_LEVEL: 'trace' }, { logger: pino({ level: 'trace' }, sink) });
  ha = await FakeHomeAssistant.start({
    token: HA_TOKEN,
    states: [
      { entity_id: 'light.kitchen', state: 'off' },
      { entity_id: 'light.porch', state: 'off' },
      { entity_id: 'sensor.living_room_temperature', state: '20.5', attributes: { unit_of_measurement: '°C' } },
    ],
  });
  ws = await buildWorkspace(server);
  connectionId = (await buildConnection(server, ws.admin.token, { url: ha.url })).id;
  await tickFor(server, connectionId);
  await eventually(() => ha.connectionCount === 1);
  await eventually(
    async () =>
      (await rows(server, sql`select 1 from ha_connections where id = ${connectionId} and status = 'CONNECTED'`))
        .length,
  );
});
afterAll(async () => {
  await server?.close();
  await ha?.close();
});

const SIMILAR = `query($id: ID!, $first: Int) { similarHaEvents(eventId: $id, first: $first) { distance event { id entityId newState } } }`;

describe('similarity search', () => {
  it('returns the nearest events first, through the embeddings of stored events', async () => {
    for (let i = 0; i < 6; i += 1) {
      ha.setState('light.kitchen', 'on');
      ha.setState('light.kitchen', 'off');
      ha.setState('sensor.living_room_temperature', String(19 + i / 2), { unit_of_measurement: '°C' });
    }
    ha.setState('light.porch', 'on');
    await settle(server);
    await server.app.homeAssistant.embeddings.run();
    const stored = await rows<{ n: number; embedded: number }>(
      server,
      sql`select count(*)::int as n, count(embedding_vector)::int as embedded from ha_events where connection_id = ${connectionId}`,
    );
    expect(stored[0]).toEqual({ n: 19, embedded: 19 });
    const [source] = await rows<{ id: string }>(
      server,
      sql`select id from ha_events where entity_id = 'light.kitchen' and new_state = 'on' order by timestamp desc limit 1`,
    );
    const res = await gql(server.url, SIMILAR, { id: source!.id, first: 5 }, ws.admin.token);
    expect(res.errors).toBeUndefined();
    const matches = res.data?.similarHaEvents as Array<{
      distance: number;
      event: { entityId: string; newState: string };
    }>;
    expect(matches).toHaveLength(5);
    expect(matches.map((m) => m.distance)).toEqual([...matches.map((m) => m.distance)].sort((a, b) => a - b));
    // The other times the kitchen light went on are the nearest.
    expect(matches[0]!.event).toMatchObject({ entityId: 'light.kitchen', newState: 'on' });
    expect(matches[0]!.distance).toBeLessThan(0.2);
    const temperature = matches.findIndex((m) => m.event.entityId === 'sensor.living_room_temperature');
    expect(temperature === -1 || temperature > 2).toBe(true);
    expect(errorCode(await gql(server.url, SIMILAR, { id: source!.id, first: 500 }, ws.admin.token))).toBe(
      'BAD_USER_INPUT',
    );
  });
});

describe('retention', () => {
  it('deletes events and samples older than the connection keeps them, and nothing newer', async () => {
    await gql(
      server.url,
      'mutation($i: UpdateHaConnectionInput!) { updateHaConnection(input: $i) { retentionDays } }',
      { i: { id: connectionId, retentionDays: 30 } },
      ws.admin.token,
    );
    const db = server.app.orm.em.fork().getKysely();
    await sql`
      insert into ha_events (id, workspace_id, connection_id, event_type, entity_id, context_id, timestamp)
      select gen_random_uuid(), c.workspace_id, c.id, 'state_changed', 'light.old', 'old-' || n,
             now() - (n || ' days')::interval + interval '1 hour'
        from ha_connections c, generate_series(25, 40) n where c.id = ${connectionId}`.execute(db);
    const before = await rows<{ n: number }>(
      server,
      sql`select count(*)::int as n from ha_events where connection_id = ${connectionId}`,
    );
    const deleted = await server.app.homeAssistant.retention.run(new Date());
    expect(deleted.events).toBe(10); // 31..40 days old
    const after = await rows<{ n: number }>(
      server,
      sql`select count(*)::int as n from ha_events where connection_id = ${connectionId}`,
    );
    expect(after[0]!.n).toBe(before[0]!.n - 10);
  });
});

describe('the access token', () => {
  it('never appears in a response, a log line or a database column in clear', async () => {
    await gql(
      server.url,
      `query($id: ID!) { haConnection(id: $id) { id name url status lastError supportedFeatures } haConnections(first: 5) { edges { node { id } } } }`,
      { id: connectionId },
      ws.admin.token,
    );
    await gql(
      server.url,
      'mutation($id: ID!) { testHaConnection(id: $id) { success } }',
      { id: connectionId },
      ws.admin.token,
    );
    expect(logLines.join('\n')).toContain('connected to Home Assistant');
    expect(logLines.join('\n')).not.toContain(HA_TOKEN);
    const tables = await rows<{ table_name: string }>(
      server,
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    for (const { table_name } of tables) {
      const hits = await rows<{ n: number }>(
        server,
        sql`select count(*)::int as n from ${sql.table(table_name)} t where t::text like ${`%${HA_TOKEN}%`}`,
      );
      expect([table_name, hits[0]!.n]).toEqual([table_name, 0]);
    }
  });

  it('does not decrypt when tampered with or copied to another connection', async () => {
    const second = await buildConnection(server, ws.admin.token, { url: `${ha.url}/second`, isActive: false });
    const test = async (id: string) =>
      (
        await gql(
          server.url,
          'mutation($id: ID!) { testHaConnection(id: $id) { success status error } }',
          { id },
          ws.admin.token,
        )
      ).data?.testHaConnection;
    // Copied from the first connection: bound to another row, it does not open.
    await sql`update ha_connections set encrypted_token = (select encrypted_token from ha_connections where id = ${connectionId})
               where id = ${second.id}`.execute(server.app.orm.em.fork().getKysely());
    expect(await test(second.id)).toMatchObject({
      success: false,
      status: 'AUTH_FAILED',
      error: expect.stringMatching(/cannot be decrypted/),
    });
    // One character of the ciphertext changed.
    await sql`update ha_connections set encrypted_token = overlay(encrypted_token placing
                 (case when substr(encrypted_token, 30, 1) = 'A' then 'B' else 'A' end) from 30 for 1)
               where id = ${second.id}`.execute(server.app.orm.em.fork().getKysely());
    expect(await test(second.id)).toMatchObject({ success: false, status: 'AUTH_FAILED' });
  });
});

describe('another workspace', () => {
  it('sees, changes and receives nothing of these connections and events', async () => {
    const other = await buildWorkspace(server);
    const token = other.admin.token;
    const [event] = await rows<{ id: string }>(
      server,
      sql`select id from ha_events where connection_id = ${connectionId} limit 1`,
    );
    const client = wsClient(server.url, token);
    try {
      const theirs = subscribe(client, 'subscription { haEvent { id } }');
      const statuses = subscribe(client, 'subscription { haConnectionStatusChanged { id } }');
      await new Promise((r) => setTimeout(r, 150));
      const operations: Array<[string, Record<string, unknown>]> = [
        ['query($id: ID!) { haConnection(id: $id) { id } }', { id: connectionId }],
        ['query($id: ID!) { haEvents(connectionId: $id) { totalCount } }', { id: connectionId }],
        ['query($id: ID!) { haStates(connectionId: $id) { entityId } }', { id: connectionId }],
        ['query($id: ID!) { similarHaEvents(eventId: $id) { distance } }', { id: event!.id }],
        ['mutation($id: ID!) { testHaConnection(id: $id) { success } }', { id: connectionId }],
        [
          'mutation($id: ID!) { updateHaConnection(input: { id: $id, name: "Mine now" }) { id } }',
          { id: connectionId },
        ],
        ['mutation($id: ID!) { deleteHaConnection(id: $id) }', { id: connectionId }],
        [
          'mutation($id: ID!) { callHaService(input: { connectionId: $id, domain: "light", service: "turn_on" }) { durationMs } }',
          { id: connectionId },
        ],
      ];
      const calls = ha.calls.length;
      for (const [query, variables] of operations) {
        const res = await gql(server.url, query, variables, token);
        expect([query, errorCode(res)]).toEqual([query, 'NOT_FOUND']);
      }
      const list = await gql(server.url, '{ haConnections(first: 10) { totalCount } }', {}, token);
      expect(list.data?.haConnections.totalCount).toBe(0);
      expect(ha.calls.length).toBe(calls);
      ha.setState('light.porch', 'off');
      await settle(server);
      await expect(theirs.next(500)).rejects.toThrow(/no event/);
      await expect(statuses.next(100)).rejects.toThrow(/no event/);
    } finally {
      await client.dispose();
    }
    const mine = await gql(
      server.url,
      'query($id: ID!) { haConnection(id: $id) { name } }',
      { id: connectionId },
      ws.admin.token,
    );
    expect(mine.data?.haConnection.name).toBe('Home');
  });
});

describe('bursts', () => {
  it('reach a subscriber whole: thousands of events at once, none lost, none twice', async () => {
    const client = wsClient(server.url, ws.admin.token);
    const seen = new Set<string>();
    let errors = 0;
    const dispose = client.subscribe<{ haEvent: { contextId: string } }>(
      {
        query: 'subscription($c: ID) { haEvent(connectionId: $c, eventType: "state_changed") { contextId } }',
        variables: { c: connectionId },
      },
      {
        next: (result) => {
          if (result.data) seen.add(result.data.haEvent.contextId);
        },
        error: () => (errors += 1),
        complete: () => undefined,
      },
    );
    try {
      await new Promise((r) => setTimeout(r, 150));
      ha.pushStateChanges(5000, { entityPrefix: 'sensor.burst_' });
      await eventually(() => seen.size >= 5000, 30_000);
      await settle(server);
      expect(seen.size).toBe(5000);
      expect(errors).toBe(0);
    } finally {
      dispose();
      await client.dispose();
    }
    const stored = await rows<{ n: number }>(
      server,
      sql`select count(*)::int as n from ha_events where connection_id = ${connectionId} and entity_id like 'sensor.burst_%'`,
    );
    expect(stored[0]!.n).toBe(5000);
  });
});
