import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorCode, gql, subscribe, wsClient } from './support/client';
import { buildItem, buildTrigger, ITEM_FIELDS } from './support/calendar';
import { buildWorkspace, workspaceIdOf, type Workspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let now = new Date('2026-11-02T08:00:00Z');
let server: TestServer;
let ws: Workspace;
beforeAll(async () => {
  server = await startTestServer({}, { clock: () => now });
  ws = await buildWorkspace(server);
});
afterAll(async () => {
  await server?.close();
});

const EXECUTIONS = `query($id: ID!) { trigger(id: $id) { lastFiredAt nextFireAt executions(first: 10) { totalCount edges { node { status lateMs scheduledFor result } } } } }`;
const executions = async (id: string, token = ws.admin.token) =>
  (await gql(server.url, EXECUTIONS, { id }, token)).data?.trigger;
const FIRED =
  'subscription($item: ID) { triggerFired(calendarItemId: $item) { id status result trigger { id triggerType } } }';

describe('time triggers', () => {
  it('fire once at their time, are logged and pushed live, and notify the owner', async () => {
    const item = await buildItem(server, ws.admin.token, { title: 'Pay rent', startTime: '2026-11-02T10:00:00Z' });
    const trigger = await buildTrigger(
      server,
      ws.admin.token,
      item.id,
      { time: { at: '2026-11-02T09:00:00Z' } },
      { type: 'NOTIFY', message: 'Rent is due' },
    );
    expect(trigger.nextFireAt).toBe('2026-11-02T09:00:00.000Z');
    const client = wsClient(server.url, ws.admin.token);
    try {
      const fired = subscribe(client, FIRED, { item: item.id });
      await new Promise((r) => setTimeout(r, 200));
      expect(await server.app.timeTriggers.tick(new Date('2026-11-02T08:59:59Z'))).toBe(0);
      expect(await server.app.timeTriggers.tick(new Date('2026-11-02T09:00:00.200Z'))).toBe(1);
      const event = await fired.next();
      expect(event.triggerFired).toMatchObject({ status: 'SUCCESS', trigger: { id: trigger.id, triggerType: 'TIME' } });
      expect(event.triggerFired.result).toMatchObject({ action: 'NOTIFY', late: false });
      expect(await server.app.timeTriggers.tick(new Date('2026-11-02T09:05:00Z'))).toBe(0);
    } finally {
      await client.dispose();
    }
    const state = await executions(trigger.id);
    expect(state).toMatchObject({ lastFiredAt: '2026-11-02T09:00:00.200Z', nextFireAt: null });
    expect(state.executions.totalCount).toBe(1);
    expect(state.executions.edges[0].node).toMatchObject({ scheduledFor: '2026-11-02T09:00:00.000Z', lateMs: 200 });
    const notes = await gql(
      server.url,
      '{ notifications(first: 5) { edges { node { title message sourceId } } } }',
      {},
      ws.admin.token,
    );
    expect(notes.data?.notifications.edges[0].node).toEqual({
      title: 'Pay rent',
      message: 'Rent is due',
      sourceId: item.id,
    });
  });

  it('fire N minutes before each occurrence of a recurring item, across DST', async () => {
    const item = await buildItem(server, ws.admin.token, {
      title: 'Standup',
      startTime: '2026-10-23T07:00:00Z', // Friday 09:00 Berlin (summer time)
      timeZone: 'Europe/Berlin',
      recurrenceRule: 'FREQ=WEEKLY;BYDAY=FR',
    });
    now = new Date('2026-10-23T06:00:00Z');
    const trigger = await buildTrigger(server, ws.admin.token, item.id, { time: { minutesBefore: 15 } });
    expect(trigger.nextFireAt).toBe('2026-10-23T06:45:00.000Z');
    await server.app.timeTriggers.tick(new Date('2026-10-23T06:45:01Z'));
    // the next Friday is after the change to winter time: 09:00 Berlin is 08:00Z
    expect((await executions(trigger.id)).nextFireAt).toBe('2026-10-30T07:45:00.000Z');
    // moving the item moves its trigger
    now = new Date('2026-10-24T00:00:00Z');
    await gql(
      server.url,
      `mutation($input: UpdateCalendarItemInput!) { updateCalendarItem(input: $input) { id } }`,
      { input: { id: item.id, startTime: '2026-10-23T08:00:00Z' } },
      ws.admin.token,
    );
    expect((await executions(trigger.id)).nextFireAt).toBe('2026-10-30T08:45:00.000Z');
  });

  it('follow a cron expression in its time zone', async () => {
    now = new Date('2026-12-01T00:00:00Z');
    const item = await buildItem(server, ws.admin.token, { title: 'Water plants' });
    const trigger = await buildTrigger(server, ws.admin.token, item.id, {
      time: { cron: '0 9 * * *', timeZone: 'Europe/Berlin' },
    });
    expect(trigger.nextFireAt).toBe('2026-12-01T08:00:00.000Z');
    expect(trigger.condition.time).toEqual({
      at: null,
      cron: '0 9 * * *',
      timeZone: 'Europe/Berlin',
      minutesBefore: null,
    });
  });

  it('catch up a missed time once, marked late — or skip it, by policy', async () => {
    now = new Date('2026-12-10T00:00:00Z');
    const item = await buildItem(server, ws.admin.token, { title: 'Feed the cat' });
    const late = await buildTrigger(server, ws.admin.token, item.id, { time: { cron: '0 * * * *', timeZone: 'UTC' } });
    const skip = await buildTrigger(
      server,
      ws.admin.token,
      item.id,
      { time: { cron: '0 * * * *', timeZone: 'UTC' } },
      { type: 'NOTIFY' },
      { missedPolicy: 'SKIP' },
    );
    // nothing ran from 01:00 until 05:30: five hourly times were missed
    await server.app.timeTriggers.tick(new Date('2026-12-10T05:30:00Z'), await workspaceIdOf(server, ws.admin));
    const lateState = await executions(late.id);
    expect(lateState.executions.totalCount).toBe(1);
    expect(lateState.executions.edges[0].node).toMatchObject({
      lateMs: 4.5 * 3_600_000,
      result: expect.objectContaining({ late: true }),
    });
    expect(lateState.nextFireAt).toBe('2026-12-10T06:00:00.000Z');
    const skipState = await executions(skip.id);
    expect(skipState.executions.totalCount).toBe(0);
    expect(skipState.nextFireAt).toBe('2026-12-10T06:00:00.000Z');
  });
});

describe('geofence triggers', () => {
  const home = { latitude: 52.52, longitude: 13.405 };
  const metresNorth = (m: number) => ({ latitude: home.latitude + m / 111_195, longitude: home.longitude });
  const REPORT =
    'mutation($input: ReportLocationInput!) { reportLocation(input: $input) { id result trigger { id } } }';
  const report = async (m: number, accuracyMeters: number) =>
    (await gql(server.url, REPORT, { input: { ...metresNorth(m), accuracyMeters } }, ws.admin.token)).data
      ?.reportLocation as any[];

  it('fire ENTER and EXIT on real crossings only, without flapping on jitter at the edge', async () => {
    const item = await buildItem(server, ws.admin.token, { title: 'Home' });
    const enter = await buildTrigger(server, ws.admin.token, item.id, {
      location: { ...home, radiusMeters: 100, on: 'ENTER' },
    });
    const exit = await buildTrigger(server, ws.admin.token, item.id, {
      location: { ...home, radiusMeters: 100, on: 'EXIT' },
    });
    expect(await report(2000, 10)).toEqual([]); // first fix: outside, no crossing yet
    for (const m of [95, 105, 98, 102, 90]) expect(await report(m, 20)).toEqual([]); // the edge, within accuracy
    const entered = await report(20, 10);
    expect(entered.map((e) => e.trigger.id)).toEqual([enter.id]);
    expect(entered[0].result).toMatchObject({ transition: 'ENTER' });
    expect(await report(10, 5)).toEqual([]);
    for (const m of [95, 105, 92]) expect(await report(m, 20)).toEqual([]);
    expect((await report(500, 30)).map((e) => e.trigger.id)).toEqual([exit.id]);
    expect(await report(800, 30)).toEqual([]);
  });
});

describe('progress triggers', () => {
  it('fire when progress crosses the threshold upwards, once if so configured', async () => {
    const item = await buildItem(server, ws.admin.token, { type: 'TASK', title: 'Thesis' });
    const once = await buildTrigger(server, ws.admin.token, item.id, { progress: { thresholdPercent: 50 } });
    const every = await buildTrigger(server, ws.admin.token, item.id, {
      progress: { thresholdPercent: 50, once: false },
    });
    const UPDATE = `mutation($input: UpdateCalendarItemInput!) { updateCalendarItem(input: $input) { ${ITEM_FIELDS} } }`;
    for (const p of [30, 60, 40, 70, 80]) {
      await gql(server.url, UPDATE, { input: { id: item.id, progressPercent: p } }, ws.admin.token);
    }
    expect((await executions(once.id)).executions.totalCount).toBe(1);
    expect((await executions(every.id)).executions.totalCount).toBe(2);
  });
});

describe('NFC triggers and actions', () => {
  let hook: http.Server;
  const received: Array<{ body: any; url: string }> = [];
  let hookUrl = '';
  beforeAll(async () => {
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ body: JSON.parse(body || '{}'), url: req.url ?? '' });
        if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
        res.statusCode = req.url === '/fail' ? 500 : 200;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hook.closeAllConnections();
    await new Promise((r) => hook.close(r));
  });

  const SCAN = 'mutation($tag: String!) { scanNfcTag(tagId: $tag) { status result trigger { id action { type } } } }';

  it('match a tag however it is spelled, and run each action, recording failures too', async () => {
    const item = await buildItem(server, ws.admin.token, { type: 'TASK', title: 'Take pills' });
    const tag = { nfc: { tagId: '04:e8:d5:12:34:56:78' } };
    const complete = await buildTrigger(server, ws.admin.token, item.id, tag, { type: 'COMPLETE_ITEM' });
    expect(complete.condition.nfc).toEqual({ tagId: '04E8D512345678' });
    await buildTrigger(server, ws.admin.token, item.id, tag, { type: 'WEBHOOK', url: `${hookUrl}/ok` });
    await buildTrigger(server, ws.admin.token, item.id, tag, { type: 'WEBHOOK', url: `${hookUrl}/fail` });
    await buildTrigger(server, ws.admin.token, item.id, tag, {
      type: 'WEBHOOK',
      url: `${hookUrl}/slow`,
      timeoutMs: 300,
    });
    const scan = await gql(server.url, SCAN, { tag: '04E8D512345678' }, ws.admin.token);
    const byUrl = Object.fromEntries(
      scan.data?.scanNfcTag.map((e: any) => [
        e.result.action === 'WEBHOOK' ? (e.result.error ?? e.result.status) : e.result.action,
        e.status,
      ]),
    );
    expect(scan.data?.scanNfcTag).toHaveLength(4);
    expect(byUrl).toMatchObject({ COMPLETE_ITEM: 'SUCCESS', 200: 'SUCCESS', 'webhook answered HTTP 500': 'FAILURE' });
    expect(scan.data?.scanNfcTag.filter((e: any) => e.status === 'FAILURE')).toHaveLength(2);
    expect(received.find((r) => r.url === '/ok')?.body).toMatchObject({
      event: 'trigger.fired',
      item: { id: item.id, title: 'Take pills' },
    });
    const read = await gql(
      server.url,
      'query($id: ID!) { calendarItem(id: $id) { status completedAt progressPercent } }',
      { id: item.id },
      ws.admin.token,
    );
    expect(read.data?.calendarItem).toMatchObject({
      status: 'COMPLETED',
      progressPercent: 100,
      completedAt: expect.any(String),
    });
    expect((await gql(server.url, SCAN, { tag: '04-E8-D5-00' }, ws.admin.token)).data?.scanNfcTag).toEqual([]);
  });
});

describe('bad trigger input', () => {
  it.each([
    ['an unknown cron', { time: { cron: 'every tuesday' } }, { type: 'NOTIFY' }],
    ['a cron in an unknown zone', { time: { cron: '0 9 * * *', timeZone: 'Nowhere/Land' } }, { type: 'NOTIFY' }],
    ['two time forms', { time: { at: '2027-01-01T00:00:00Z', minutesBefore: 5 } }, { type: 'NOTIFY' }],
    ['no condition', {}, { type: 'NOTIFY' }],
    ['two conditions', { nfc: { tagId: '0A0B' }, progress: { thresholdPercent: 5 } }, { type: 'NOTIFY' }],
    ['a radius of 0', { location: { latitude: 1, longitude: 1, radiusMeters: 0, on: 'ENTER' } }, { type: 'NOTIFY' }],
    [
      'a latitude of 91',
      { location: { latitude: 91, longitude: 1, radiusMeters: 10, on: 'ENTER' } },
      { type: 'NOTIFY' },
    ],
    ['a threshold over 100', { progress: { thresholdPercent: 101 } }, { type: 'NOTIFY' }],
    ['a tag that is not hex', { nfc: { tagId: 'hello' } }, { type: 'NOTIFY' }],
    ['a webhook without a url', { nfc: { tagId: '0A0B' } }, { type: 'WEBHOOK' }],
    ['a webhook to ftp', { nfc: { tagId: '0A0B' } }, { type: 'WEBHOOK', url: 'ftp://x/y' }],
    ['SET_STATUS without a status', { nfc: { tagId: '0A0B' } }, { type: 'SET_STATUS' }],
  ])('rejects %s with BAD_USER_INPUT', async (_label, condition, action) => {
    const item = await buildItem(server, ws.admin.token);
    const res = await gql(
      server.url,
      'mutation($input: CreateTriggerInput!) { createTrigger(input: $input) { id } }',
      { input: { calendarItemId: item.id, condition, action } },
      ws.admin.token,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('another workspace', () => {
  it('can neither see nor fire anything of this one', async () => {
    const item = await buildItem(server, ws.admin.token, { title: 'Private' });
    const trigger = await buildTrigger(server, ws.admin.token, item.id, { nfc: { tagId: 'CAFE' } });
    const other = await buildWorkspace(server);
    const t = other.admin.token;
    expect(errorCode(await gql(server.url, `query($id: ID!) { trigger(id: $id) { id } }`, { id: trigger.id }, t))).toBe(
      'NOT_FOUND',
    );
    expect(
      errorCode(await gql(server.url, `query($id: ID!) { calendarItem(id: $id) { id } }`, { id: item.id }, t)),
    ).toBe('NOT_FOUND');
    const create = await gql(
      server.url,
      'mutation($input: CreateTriggerInput!) { createTrigger(input: $input) { id } }',
      { input: { calendarItemId: item.id, condition: { nfc: { tagId: 'CAFE' } }, action: { type: 'NOTIFY' } } },
      t,
    );
    expect(errorCode(create)).toBe('NOT_FOUND');
    for (const mutation of [
      gql(server.url, 'mutation($id: ID!) { deleteTrigger(id: $id) }', { id: trigger.id }, t),
      gql(
        server.url,
        'mutation($input: UpdateTriggerInput!) { updateTrigger(input: $input) { id } }',
        { input: { id: trigger.id, isActive: false } },
        t,
      ),
      gql(server.url, 'mutation($id: ID!) { deleteCalendarItem(id: $id) }', { id: item.id }, t),
      gql(
        server.url,
        'mutation($input: UpdateCalendarItemInput!) { updateCalendarItem(input: $input) { id } }',
        { input: { id: item.id, title: 'x' } },
        t,
      ),
    ]) {
      expect(errorCode(await mutation)).toBe('NOT_FOUND');
    }
    expect((await gql(server.url, 'mutation { scanNfcTag(tagId: "CAFE") { id } }', {}, t)).data?.scanNfcTag).toEqual(
      [],
    );
    const mine = await executions(trigger.id);
    expect(mine.executions.totalCount).toBe(0);
    const listed = await gql(server.url, `{ calendarItems(first: 50) { totalCount } }`, {}, t);
    expect(listed.data?.calendarItems.totalCount).toBe(0);
  });
});

describe('the read path of items, triggers and executions', () => {
  it('costs the same number of SQL statements for 2 items as for 10', async () => {
    const own = await buildWorkspace(server);
    for (let i = 0; i < 10; i += 1) {
      const item = await buildItem(server, own.admin.token, {
        title: `Item ${i}`,
        startTime: `2027-03-${String(i + 1).padStart(2, '0')}T09:00:00Z`,
      });
      for (let j = 0; j < 3; j += 1) await buildTrigger(server, own.admin.token, item.id, { nfc: { tagId: `0${j}` } });
    }
    await gql(
      server.url,
      'mutation { a: scanNfcTag(tagId: "00") { id } b: scanNfcTag(tagId: "01") { id } }',
      {},
      own.admin.token,
    );
    const query = (n: number) =>
      `{ calendarItems(first: ${n}) { edges { node { title triggers { id calendarItem { id } executions(first: 5) { totalCount edges { node { status trigger { id } } } } } } } } }`;
    const count = async (n: number) => {
      const before = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
      const res = await gql(server.url, query(n), {}, own.admin.token);
      expect(res.errors).toBeUndefined();
      const after = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
      return { statements: after - before, data: res.data! };
    };
    const small = await count(2);
    const large = await count(10);
    expect(large.data.calendarItems.edges).toHaveLength(10);
    expect(large.data.calendarItems.edges[0].node.triggers[0].executions.totalCount).toBe(1);
    expect(large.statements).toBe(small.statements);
  });
});

describe('live firings', () => {
  it('push each kind of firing to its owner, and to nobody else', async () => {
    const own = await buildWorkspace(server);
    const other = await buildWorkspace(server);
    const t = own.admin.token;
    const item = await buildItem(server, t, { type: 'TASK', title: 'Everything' });
    await buildTrigger(server, t, item.id, {
      location: { latitude: 10, longitude: 10, radiusMeters: 50, on: 'ENTER' },
    });
    await buildTrigger(server, t, item.id, { progress: { thresholdPercent: 10 } });
    await buildTrigger(server, t, item.id, { nfc: { tagId: 'BEEF' } });
    const mine = wsClient(server.url, t);
    const theirs = wsClient(server.url, other.admin.token);
    try {
      const events = subscribe(mine, FIRED, {});
      const otherEvents = subscribe(theirs, FIRED, {});
      await new Promise((r) => setTimeout(r, 200));
      const REPORT = 'mutation($input: ReportLocationInput!) { reportLocation(input: $input) { id } }';
      await gql(server.url, REPORT, { input: { latitude: 11, longitude: 10, accuracyMeters: 5 } }, t);
      await gql(server.url, REPORT, { input: { latitude: 10, longitude: 10, accuracyMeters: 5 } }, t);
      await gql(
        server.url,
        `mutation($input: UpdateCalendarItemInput!) { updateCalendarItem(input: $input) { id } }`,
        { input: { id: item.id, progressPercent: 20 } },
        t,
      );
      await gql(server.url, 'mutation { scanNfcTag(tagId: "be:ef") { id } }', {}, t);
      const kinds = [];
      for (let i = 0; i < 3; i += 1) kinds.push((await events.next()).triggerFired.trigger.triggerType);
      expect(kinds).toEqual(['LOCATION', 'PROGRESS', 'NFC']);
      await expect(otherEvents.next(300)).rejects.toThrow(/no event/);
    } finally {
      await mine.dispose();
      await theirs.dispose();
    }
  });
});
