import { sql } from 'kysely';
import { errorCode, gql, subscribe, wsClient } from './support/client';
import { buildItem, buildTrigger } from './support/calendar';
import { buildWorkspace, type Workspace } from './support/factories';
import { FakeHomeAssistant } from './support/fake-home-assistant';
import { buildConnection, eventually, HA_TOKEN, rows, settle, tickFor } from './support/home-assistant';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let ha: FakeHomeAssistant;
let ws: Workspace;
let connectionId: string;
let workspaceId: string;

beforeAll(async () => {
  server = await startTestServer({ HA_FLUSH_MS: '5' });
  ha = await FakeHomeAssistant.start({
    token: HA_TOKEN,
    states: [
      { entity_id: 'binary_sensor.front_door', state: 'off' },
      { entity_id: 'light.hall', state: 'off' },
      { entity_id: 'switch.kettle', state: 'off' },
    ],
  });
  ws = await buildWorkspace(server);
  connectionId = (await buildConnection(server, ws.admin.token, { url: ha.url })).id;
  workspaceId = (
    await rows<{ workspace_id: string }>(
      server,
      sql`select workspace_id from ha_connections where id = ${connectionId}`,
    )
  )[0]!.workspace_id;
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

const EXECUTIONS = `query($id: ID!) { trigger(id: $id) { nextFireAt executions(first: 10) { totalCount edges { node { status result } } } } }`;
const executions = async (id: string) => (await gql(server.url, EXECUTIONS, { id }, ws.admin.token)).data?.trigger;

describe('HA_STATE triggers and CALL_HA_SERVICE actions', () => {
  it('turn the hall light on when the front door opens, end to end, audited', async () => {
    const item = await buildItem(server, ws.admin.token, { title: 'Welcome home' });
    const trigger = await buildTrigger(
      server,
      ws.admin.token,
      item.id,
      { haState: { connectionId, entityId: 'binary_sensor.front_door', from: 'off', to: 'on' } },
      {
        type: 'CALL_HA_SERVICE',
        connectionId,
        domain: 'light',
        service: 'turn_on',
        target: { entity_id: 'light.hall' },
      },
    );
    const client = wsClient(server.url, ws.admin.token);
    try {
      const fired = subscribe(client, 'subscription($i: ID) { triggerFired(calendarItemId: $i) { status result } }', {
        i: item.id,
      });
      const hall = subscribe(client, 'subscription { haEvent(entityId: "light.hall") { oldState newState } }');
      await new Promise((r) => setTimeout(r, 150));
      ha.setState('binary_sensor.front_door', 'on');
      const execution = (await fired.next()).triggerFired;
      expect(execution).toMatchObject({ status: 'SUCCESS' });
      expect(execution.result).toMatchObject({
        action: 'CALL_HA_SERVICE',
        domain: 'light',
        service: 'turn_on',
        entityId: 'binary_sensor.front_door',
        fromState: 'off',
        toState: 'on',
      });
      // Home Assistant switched the light, and its change came back as an event.
      expect((await hall.next()).haEvent).toEqual({ oldState: 'off', newState: 'on' });
    } finally {
      await client.dispose();
    }
    expect(ha.calls).toEqual([{ domain: 'light', service: 'turn_on', target: { entity_id: 'light.hall' } }]);
    const audit = await rows<{ success: boolean; user_id: string }>(
      server,
      sql`select success, user_id from audit_logs where action = 'ha.call_service' and target_id = ${connectionId}`,
    );
    expect(audit).toEqual([{ success: true, user_id: ws.admin.user.id }]);
    // Closing the door is not a match (from/to), and attribute-only changes never are.
    ha.setState('binary_sensor.front_door', 'off');
    ha.setState('binary_sensor.front_door', 'off', { battery: 80 });
    await settle(server);
    expect((await executions(trigger.id)).executions.totalCount).toBe(1);
  });

  it('with forSeconds fire once the state has lasted, and not when it changes back in time', async () => {
    const item = await buildItem(server, ws.admin.token, { title: 'Kettle left on' });
    const trigger = await buildTrigger(
      server,
      ws.admin.token,
      item.id,
      { haState: { connectionId, entityId: 'switch.kettle', to: 'on', forSeconds: 600 } },
      { type: 'NOTIFY', message: 'The kettle has been on for 10 minutes' },
    );
    ha.setState('switch.kettle', 'on');
    await settle(server);
    const waiting = await eventually(async () => (await executions(trigger.id))?.nextFireAt);
    const due = new Date(waiting);
    expect(due.getTime() - Date.now()).toBeGreaterThan(590_000);
    // Off again after a minute: nothing fires.
    ha.setState('switch.kettle', 'off');
    await settle(server);
    await eventually(async () => (await executions(trigger.id))?.nextFireAt === null);
    expect(await server.app.timeTriggers.tick(new Date(due.getTime() + 1000), workspaceId)).toBe(0);
    // On, and still on ten minutes later: fires exactly once.
    ha.setState('switch.kettle', 'on');
    await settle(server);
    const second = new Date(await eventually(async () => (await executions(trigger.id))?.nextFireAt));
    expect(await server.app.timeTriggers.tick(new Date(second.getTime() + 500), workspaceId)).toBe(1);
    expect(await server.app.timeTriggers.tick(new Date(second.getTime() + 60_000), workspaceId)).toBe(0);
    const state = await executions(trigger.id);
    expect(state.nextFireAt).toBeNull();
    expect(state.executions.totalCount).toBe(1);
    expect(state.executions.edges[0].node.result).toMatchObject({ action: 'NOTIFY', toState: 'on' });
  });

  it("refuse connections that are not the owner's, and bad entity ids", async () => {
    const other = await buildWorkspace(server);
    const item = await buildItem(server, other.admin.token, { title: 'Not mine' });
    const create = (condition: unknown, action: unknown) =>
      gql(
        server.url,
        'mutation($i: CreateTriggerInput!) { createTrigger(input: $i) { id } }',
        { i: { calendarItemId: item.id, condition, action } },
        other.admin.token,
      );
    const foreignCondition = await create(
      { haState: { connectionId, entityId: 'binary_sensor.front_door' } },
      { type: 'NOTIFY' },
    );
    expect(errorCode(foreignCondition)).toBe('NOT_FOUND');
    const foreignAction = await create(
      { nfc: { tagId: '04:AA' } },
      { type: 'CALL_HA_SERVICE', connectionId, domain: 'light', service: 'turn_on' },
    );
    expect(errorCode(foreignAction)).toBe('NOT_FOUND');
    const badEntity = await create({ haState: { connectionId, entityId: 'Front Door' } }, { type: 'NOTIFY' });
    expect(errorCode(badEntity)).toBe('BAD_USER_INPUT');
    const incomplete = await create({ nfc: { tagId: '04:AB' } }, { type: 'CALL_HA_SERVICE', domain: 'light' });
    expect(errorCode(incomplete)).toBe('BAD_USER_INPUT');
  });
});
