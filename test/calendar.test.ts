import ICAL from 'ical.js';
import { errorCode, gql, subscribe, wsClient } from './support/client';
import { buildItem, ITEM_FIELDS } from './support/calendar';
import { buildWorkspace, type Workspace } from './support/factories';
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

const UPDATE = `mutation($input: UpdateCalendarItemInput!) { updateCalendarItem(input: $input) { ${ITEM_FIELDS} } }`;

describe('calendar items', () => {
  it('creates, reads, updates and deletes an item', async () => {
    const item = await buildItem(server, ws.admin.token, {
      title: 'Team sync',
      endTime: '2026-12-01T10:00:00Z',
      timeZone: 'Europe/Berlin',
      location: 'Kitchen',
    });
    expect(item).toMatchObject({
      title: 'Team sync',
      status: 'PENDING',
      progressPercent: 0,
      timeZone: 'Europe/Berlin',
    });
    const read = await gql(
      server.url,
      `query($id: ID!) { calendarItem(id: $id) { ${ITEM_FIELDS} owner { id } } }`,
      { id: item.id },
      ws.admin.token,
    );
    expect(read.data?.calendarItem).toMatchObject({ ...item, owner: { id: ws.admin.user.id } });
    const updated = await gql(
      server.url,
      UPDATE,
      { input: { id: item.id, title: 'Team sync (moved)', location: null } },
      ws.admin.token,
    );
    expect(updated.data?.updateCalendarItem).toMatchObject({ title: 'Team sync (moved)', location: null });
    const deleted = await gql(
      server.url,
      'mutation($id: ID!) { deleteCalendarItem(id: $id) }',
      { id: item.id },
      ws.admin.token,
    );
    expect(deleted.data?.deleteCalendarItem).toBe(true);
    expect(
      errorCode(
        await gql(server.url, 'query($id: ID!) { calendarItem(id: $id) { id } }', { id: item.id }, ws.admin.token),
      ),
    ).toBe('NOT_FOUND');
  });

  it('sets completedAt on completion (status or 100 %) and clears it on reopening', async () => {
    const item = await buildItem(server, ws.admin.token, { type: 'TASK', title: 'Taxes' });
    const done = await gql(server.url, UPDATE, { input: { id: item.id, progressPercent: 100 } }, ws.admin.token);
    expect(done.data?.updateCalendarItem).toMatchObject({ status: 'COMPLETED', completedAt: expect.any(String) });
    const reopened = await gql(
      server.url,
      UPDATE,
      { input: { id: item.id, status: 'ACTIVE', progressPercent: 60 } },
      ws.admin.token,
    );
    expect(reopened.data?.updateCalendarItem).toMatchObject({ status: 'ACTIVE', completedAt: null });
    const completed = await gql(server.url, UPDATE, { input: { id: item.id, status: 'COMPLETED' } }, ws.admin.token);
    expect(completed.data?.updateCalendarItem.completedAt).toEqual(expect.any(String));
  });

  it.each([
    ['an end before the start', { startTime: '2026-12-01T10:00:00Z', endTime: '2026-12-01T09:00:00Z' }, /endTime/],
    ['progress over 100', { progressPercent: 101 }, /progressPercent/],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, /time zone/],
    ['a malformed RRULE', { recurrenceRule: 'FREQ=SOMETIMES' }, /./],
    ['a recurrence without a start', { startTime: null, recurrenceRule: 'FREQ=DAILY' }, /startTime/],
    ['an empty title', { title: '' }, /title/],
  ])('rejects %s with BAD_USER_INPUT', async (_label, patch, message) => {
    const res = await gql(
      server.url,
      `mutation($input: CreateCalendarItemInput!) { createCalendarItem(input: $input) { id } }`,
      { input: { type: 'EVENT', title: 'X', startTime: '2026-12-01T09:00:00Z', ...patch } },
      ws.admin.token,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(message);
  });

  it('lists with filters and orders, and pages with cursors', async () => {
    const own = await buildWorkspace(server);
    const t = own.admin.token;
    await buildItem(server, t, { type: 'EVENT', title: 'Concert', startTime: '2027-01-10T19:00:00Z' });
    await buildItem(server, t, { type: 'TASK', title: 'Buy tickets', startTime: '2027-01-05T12:00:00Z' });
    await buildItem(server, t, { type: 'REMINDER', title: 'Call mum', startTime: '2027-02-01T08:00:00Z' });
    const LIST = `query($filter: CalendarItemFilter, $orderBy: CalendarItemOrder, $first: Int, $after: String) {
      calendarItems(filter: $filter, orderBy: $orderBy, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { title } } } }`;
    const titles = async (vars: Record<string, unknown>) =>
      ((await gql(server.url, LIST, vars, t)).data?.calendarItems.edges ?? []).map((e: any) => e.node.title);
    expect(await titles({})).toEqual(['Buy tickets', 'Concert', 'Call mum']);
    expect(await titles({ orderBy: { field: 'TITLE', direction: 'DESC' } })).toEqual([
      'Concert',
      'Call mum',
      'Buy tickets',
    ]);
    expect(await titles({ filter: { type: 'TASK' } })).toEqual(['Buy tickets']);
    expect(await titles({ filter: { text: 'CON' } })).toEqual(['Concert']);
    expect(await titles({ filter: { from: '2027-01-06T00:00:00Z', to: '2027-01-31T00:00:00Z' } })).toEqual(['Concert']);
    const page1 = await gql(server.url, LIST, { first: 2 }, t);
    expect(page1.data?.calendarItems).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    expect(await titles({ first: 2, after: page1.data?.calendarItems.pageInfo.endCursor })).toEqual(['Call mum']);
  });

  it('expands recurrence with exceptions in occurrences and the agenda', async () => {
    const own = await buildWorkspace(server);
    const t = own.admin.token;
    const weekly = await buildItem(server, t, {
      title: 'Yoga',
      startTime: '2026-10-19T07:00:00Z', // Monday 09:00 in Berlin (summer time)
      endTime: '2026-10-19T08:00:00Z',
      timeZone: 'Europe/Berlin',
      recurrenceRule: 'RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4\nEXDATE:20261102T090000',
    });
    await buildItem(server, t, { title: 'Dinner', startTime: '2026-10-27T18:00:00Z', endTime: '2026-10-27T20:00:00Z' });
    const occ = await gql(
      server.url,
      'query($id: ID!) { calendarItem(id: $id) { occurrences(from: "2026-10-01T00:00:00Z", to: "2026-12-01T00:00:00Z") { start end } } }',
      { id: weekly.id },
      t,
    );
    // 09:00 Berlin each Monday: 07:00Z before the change on 25 October, 08:00Z after; 2 November excluded
    expect(occ.data?.calendarItem.occurrences).toEqual([
      { start: '2026-10-19T07:00:00.000Z', end: '2026-10-19T08:00:00.000Z' },
      { start: '2026-10-26T08:00:00.000Z', end: '2026-10-26T09:00:00.000Z' },
      { start: '2026-11-09T08:00:00.000Z', end: '2026-11-09T09:00:00.000Z' },
    ]);
    const agenda = await gql(
      server.url,
      '{ agenda(from: "2026-10-20T00:00:00Z", to: "2026-11-30T00:00:00Z") { start item { title } } }',
      {},
      t,
    );
    expect(agenda.data?.agenda.map((e: any) => `${e.start} ${e.item.title}`)).toEqual([
      '2026-10-26T08:00:00.000Z Yoga',
      '2026-10-27T18:00:00.000Z Dinner',
      '2026-11-09T08:00:00.000Z Yoga',
    ]);
    expect(
      errorCode(
        await gql(server.url, '{ agenda(from: "2026-10-20T00:00:00Z", to: "2028-11-30T00:00:00Z") { start } }', {}, t),
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('serves a secret iCalendar feed that a parser reads back with recurrence and exceptions', async () => {
    const own = await buildWorkspace(server);
    const t = own.admin.token;
    await buildItem(server, t, {
      title: 'Piano lesson',
      startTime: '2026-11-04T16:00:00Z',
      endTime: '2026-11-04T17:00:00Z',
      timeZone: 'Europe/Berlin',
      recurrenceRule: 'RRULE:FREQ=WEEKLY;COUNT=5\nEXDATE:20261118T170000',
      location: 'Music school',
    });
    const url = (await gql(server.url, '{ calendarFeedUrl }', {}, t)).data?.calendarFeedUrl as string;
    expect(url).toMatch(/\/calendar\/[A-Za-z0-9_-]+\.ics$/);
    expect((await gql(server.url, '{ calendarFeedUrl }', {}, t)).data?.calendarFeedUrl).toBe(url);
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toMatch(/text\/calendar/);
    const vcalendar = new ICAL.Component(ICAL.parse(await res.text()));
    const [vevent] = vcalendar.getAllSubcomponents('vevent');
    const event = new ICAL.Event(vevent);
    expect(event.summary).toBe('Piano lesson');
    expect(event.location).toBe('Music school');
    expect(event.startDate.toString()).toBe('2026-11-04T17:00:00');
    expect(vevent!.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Berlin');
    const rrule = vevent!.getFirstPropertyValue('rrule') as ICAL.Recur;
    expect(rrule.freq).toBe('WEEKLY');
    expect(rrule.count).toBe(5);
    const exdate = vevent!.getFirstPropertyValue('exdate') as ICAL.Time;
    expect(exdate.toJSDate().toISOString()).toBe('2026-11-18T16:00:00.000Z');

    const rotated = (await gql(server.url, 'mutation { rotateCalendarFeedUrl }', {}, t)).data?.rotateCalendarFeedUrl;
    expect(rotated).not.toBe(url);
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(rotated)).status).toBe(200);
  });

  it('announces changes live to the owner only', async () => {
    const other = await buildWorkspace(server);
    const mine = wsClient(server.url, ws.admin.token);
    const theirs = wsClient(server.url, other.admin.token);
    try {
      const events = subscribe(mine, 'subscription { calendarItemChanged { change id item { title } } }');
      const otherEvents = subscribe(theirs, 'subscription { calendarItemChanged { change id } }');
      await new Promise((r) => setTimeout(r, 200));
      const item = await buildItem(server, ws.admin.token, { title: 'Live' });
      expect(await events.next()).toEqual({
        calendarItemChanged: { change: 'CREATED', id: item.id, item: { title: 'Live' } },
      });
      await gql(server.url, 'mutation($id: ID!) { deleteCalendarItem(id: $id) }', { id: item.id }, ws.admin.token);
      expect(await events.next()).toEqual({ calendarItemChanged: { change: 'DELETED', id: item.id, item: null } });
      await expect(otherEvents.next(300)).rejects.toThrow(/no event/);
    } finally {
      await mine.dispose();
      await theirs.dispose();
    }
  });
});
