import { sql } from 'kysely';
import { gql } from './support/client';
import { buildWorkspace, type Workspace } from './support/factories';
import { FakeFitbit } from './support/fake-fitbit';
import { rows } from './support/home-assistant';
import { connect, createPet, pet, TestClock, workspaceOf } from './support/quest';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let fitbit: FakeFitbit;
let ws: Workspace;
let integrationId: string;
let workspaceId: string;
let petId: string;
// Friday 20 November 2026, 11:00 in Berlin
const clock = new TestClock(new Date('2026-11-20T10:00:00Z'));

beforeAll(async () => {
  fitbit = await FakeFitbit.start({
    clientId: '22FIT',
    clientSecret: 'fit-secret',
    userId: 'BX42KQ',
    displayName: 'Grace',
    timezone: 'Europe/Berlin',
  });
  server = await startTestServer(fitbit.env(), { clock: clock.fn });
  ws = await buildWorkspace(server);
  petId = (await createPet(server, ws.admin.token)).id;
  integrationId = (await connect(server, ws.admin.token, 'FITBIT')).integration.id;
  workspaceId = await workspaceOf(server, integrationId);
});
afterAll(async () => {
  await server?.close();
  await fitbit?.close();
});

const DAYS = `query { questEvents(first: 100, filter: { provider: FITBIT }) { totalCount
  edges { node { id kind externalId value occurredAt xp rawEvent { deliveryId eventType status } } } } }`;
const days = async () =>
  (await gql(server.url, DAYS, {}, ws.admin.token)).data?.questEvents.edges.map((e: any) => e.node) as any[];
const dataRequests = () => fitbit.requests.filter((r) => /^\/1(\.2)?\/user\/-\/(activities|sleep)\//.test(r.path));
const tick = () => server.app.quest.sync.tick(clock.now, workspaceId);
const xp = async () => (await pet(server, ws.admin.token, petId)).state.xp as number;

describe('the Fitbit sync', () => {
  it('pulls steps, active minutes and sleep per day through the Web API', async () => {
    fitbit.setDay('2026-11-18', { steps: 4000, minutesFairlyActive: 10, minutesVeryActive: 5, sleep: [400] });
    fitbit.setDay('2026-11-19', { steps: 9000, minutesFairlyActive: 30, minutesVeryActive: 20 });
    fitbit.setDay('2026-11-20', { steps: 1200, sleep: [420, 30] });
    expect(await tick()).toEqual({ refreshed: 0, synced: 1 });
    expect(
      dataRequests()
        .map((r) => r.path)
        .sort(),
    ).toEqual([
      '/1.2/user/-/sleep/date/2026-11-18/2026-11-20.json',
      '/1/user/-/activities/minutesFairlyActive/date/2026-11-18/2026-11-20.json',
      '/1/user/-/activities/minutesVeryActive/date/2026-11-18/2026-11-20.json',
      '/1/user/-/activities/steps/date/2026-11-18/2026-11-20.json',
    ]);
    expect(dataRequests().every((r) => /^Bearer \S+$/.test(r.headers.authorization ?? ''))).toBe(true);
    const stored = await days();
    const summary = stored
      .map((e) => [e.kind, e.externalId, e.value, e.xp])
      .sort((a, b) => String(a).localeCompare(String(b)));
    expect(summary).toEqual([
      ['ACTIVE_MINUTES', '2026-11-18', 15, 7],
      ['ACTIVE_MINUTES', '2026-11-19', 50, 25],
      ['SLEEP', '2026-11-18', 400, 30],
      ['SLEEP', '2026-11-20', 450, 35],
      ['STEPS', '2026-11-18', 4000, 16],
      ['STEPS', '2026-11-19', 9000, 36],
      ['STEPS', '2026-11-20', 1200, 4],
    ]);
    const steps18 = stored.find((e) => e.kind === 'STEPS' && e.externalId === '2026-11-18');
    expect(steps18).toMatchObject({
      occurredAt: '2026-11-18T12:00:00.000Z',
      rawEvent: { deliveryId: 'daily:2026-11-18', eventType: 'daily_summary', status: 'PROCESSED' },
    });
    expect(await xp()).toBe(7 + 25 + 30 + 35 + 16 + 36 + 4);
    const [integration] = await rows<{ last_synced_at: string; next_sync_at: string }>(
      server,
      sql`select last_synced_at, next_sync_at from integrations where id = ${integrationId}`,
    );
    expect(new Date(integration!.next_sync_at).getTime()).toBe(clock.now.getTime() + 30 * 60_000);
  });

  it('is idempotent per day: a day synced again replaces its totals and only an increase gives XP', async () => {
    const before = await days();
    const xpBefore = await xp();
    const requests = dataRequests().length;
    expect(await tick()).toEqual({ refreshed: 0, synced: 0 });
    expect(dataRequests()).toHaveLength(requests);

    fitbit.setDay('2026-11-20', { steps: 8000 });
    clock.advanceHours(0.6);
    expect(await tick()).toEqual({ refreshed: 0, synced: 1 });
    const after = await days();
    expect(after).toHaveLength(before.length);
    const steps20 = (list: any[]) => list.find((e) => e.kind === 'STEPS' && e.externalId === '2026-11-20');
    expect(steps20(after)).toMatchObject({ id: steps20(before).id, value: 8000, xp: 32 });
    expect(await xp()).toBe(xpBefore + 28);

    const again = await gql(
      server.url,
      'mutation($id: ID!) { syncIntegration(id: $id) { days events error integration { lastError } } }',
      { id: integrationId },
      ws.admin.token,
    );
    expect(again.data?.syncIntegration).toMatchObject({ days: 3, events: 0, error: null });
    expect(await xp()).toBe(xpBefore + 28);
    const raw = await rows<{ delivery_id: string; event_count: number }>(
      server,
      sql`select delivery_id, event_count from raw_events where integration_id = ${integrationId} order by delivery_id`,
    );
    expect(raw).toEqual([
      { delivery_id: 'daily:2026-11-18', event_count: 3 },
      { delivery_id: 'daily:2026-11-19', event_count: 2 },
      { delivery_id: 'daily:2026-11-20', event_count: 2 },
    ]);
  });

  it('reads back to the day before its last sync after a gap, and waits when Fitbit limits the rate', async () => {
    clock.set('2026-11-25T07:00:00Z');
    fitbit.rateLimitNext = 3600;
    expect(await tick()).toEqual({ refreshed: 1, synced: 0 });
    const limited = await gql(
      server.url,
      'query($id: ID!) { integration(id: $id) { lastError nextSyncAt } }',
      { id: integrationId },
      ws.admin.token,
    );
    expect(limited.data?.integration.lastError).toMatch(/Too Many Requests/);
    expect(new Date(limited.data?.integration.nextSyncAt).getTime()).toBe(clock.now.getTime() + 3600_000);

    clock.advanceHours(1);
    fitbit.setDay('2026-11-23', { steps: 5000 });
    expect(await tick()).toEqual({ refreshed: 0, synced: 1 });
    expect(dataRequests().at(-1)!.path).toMatch(/\/date\/2026-11-19\/2026-11-25\.json$/);
    expect((await days()).filter((e) => e.externalId === '2026-11-23')).toMatchObject([{ kind: 'STEPS', value: 5000 }]);
  });
});
