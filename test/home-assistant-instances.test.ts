import { sql } from 'kysely';
import { buildWorkspace } from './support/factories';
import { FakeHomeAssistant } from './support/fake-home-assistant';
import { buildConnection, eventually, HA_TOKEN, rows, settle, tickFor } from './support/home-assistant';
import { startTestServer, type TestServer } from './support/server';

const KEY_1 = `1:${'shared-key-'.repeat(4)}`;

// Several instances need one shared database: run with DATABASE_URL.
const shared = Boolean(process.env.DATABASE_URL);

(shared ? describe : describe.skip)('Home Assistant connections across instances', () => {
  let a: TestServer;
  let b: TestServer;
  let ha: FakeHomeAssistant;
  /** The instance still supervising after the first test stopped the other. */
  let survivor: TestServer;
  beforeAll(async () => {
    // Instances sharing a database share their keys (as they share JWT_SECRET).
    const env = {
      ENCRYPTION_KEYS: KEY_1,
      HA_FLUSH_MS: '5',
      HA_LEASE_SECONDS: '2',
      HA_RECONNECT_MIN_MS: '20',
      HA_RECONNECT_MAX_MS: '50',
    };
    a = await startTestServer(env);
    b = await startTestServer(env);
    ha = await FakeHomeAssistant.start({ token: HA_TOKEN, states: [{ entity_id: 'switch.pump', state: 'off' }] });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await ha?.close();
  });

  const connected = (id: string) =>
    eventually(
      async () => (await rows(a, sql`select 1 from ha_connections where id = ${id} and status = 'CONNECTED'`)).length,
    );
  const holderOf = async (id: string) =>
    (await rows<{ holder: string | null }>(a, sql`select holder from ha_connections where id = ${id}`))[0]?.holder;

  it('are held open by exactly one instance, taken over when it stops, with no event stored twice', async () => {
    const ws = await buildWorkspace(a);
    const connection = await buildConnection(a, ws.admin.token, { url: ha.url });
    await Promise.all([tickFor(a, connection.id), tickFor(b, connection.id)]);
    await Promise.all([tickFor(a, connection.id), tickFor(b, connection.id)]);
    const holders = [a, b].filter((s) => s.app.homeAssistant.supervisor.held.includes(connection.id));
    expect(holders).toHaveLength(1);
    await eventually(() => ha.connectionCount === 1);
    const [first, second] = holders[0] === a ? [a, b] : [b, a];
    expect(await holderOf(connection.id)).toBe(first.app.homeAssistant.supervisor.instanceId);

    await connected(connection.id);
    for (let i = 0; i < 5; i += 1) ha.setState('switch.pump', i % 2 ? 'off' : 'on');
    await settle(first);
    // The holder stops (its lease is released); the other instance takes over and resyncs.
    await first.app.homeAssistant.supervisor.stop();
    ha.setState('switch.pump', 'on', { pressure: 3 });
    await tickFor(second, connection.id);
    expect(second.app.homeAssistant.supervisor.held).toEqual([connection.id]);
    await eventually(() => ha.connectionCount === 1);
    await connected(connection.id);
    for (let i = 0; i < 3; i += 1) ha.setState('switch.pump', i % 2 ? 'on' : 'off');
    await settle(second);
    const stored = await rows<{ n: number; distinct_n: number }>(
      a,
      sql`select count(*)::int as n, count(distinct context_id)::int as distinct_n from ha_events where connection_id = ${connection.id}`,
    );
    expect(stored[0]).toEqual({ n: 9, distinct_n: 9 });
    expect(await holderOf(connection.id)).toBe(second.app.homeAssistant.supervisor.instanceId);
    survivor = second;
  });

  it('are claimed by another instance when the holder vanished without releasing its lease', async () => {
    const ws = await buildWorkspace(a);
    const connection = await buildConnection(a, ws.admin.token, { url: `${ha.url}/vanished` });
    await sql`update ha_connections set holder = 'gone-instance', held_until = now() + interval '1 second'
               where id = ${connection.id}`.execute(a.app.orm.em.fork().getKysely());
    await tickFor(survivor, connection.id);
    expect(survivor.app.homeAssistant.supervisor.held).not.toContain(connection.id);
    await new Promise((r) => setTimeout(r, 1200));
    await tickFor(survivor, connection.id);
    expect(survivor.app.homeAssistant.supervisor.held).toContain(connection.id);
  });

  it('seal tokens again with the newest key when an instance with a rotated key list takes them', async () => {
    const rotated = await startTestServer({
      ENCRYPTION_KEYS: `2:${'rotated-key-'.repeat(4)},${KEY_1}`,
      HA_FLUSH_MS: '5',
    });
    try {
      const ws = await buildWorkspace(a);
      const connection = await buildConnection(a, ws.admin.token, { url: ha.url });
      const sealed = async () =>
        (
          await rows<{ t: string }>(a, sql`select encrypted_token as t from ha_connections where id = ${connection.id}`)
        )[0]!.t;
      expect(await sealed()).toMatch(/^sb1\.1\./);
      await tickFor(rotated, connection.id);
      expect(rotated.app.homeAssistant.supervisor.held).toContain(connection.id);
      expect(await sealed()).toMatch(/^sb1\.2\./);
      await eventually(
        async () =>
          (await rows(a, sql`select 1 from ha_connections where id = ${connection.id} and status = 'CONNECTED'`))
            .length,
      );
    } finally {
      await rotated.close();
    }
  });
});
