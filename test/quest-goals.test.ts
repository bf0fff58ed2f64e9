import { sql } from 'kysely';
import { errorCode, gql } from './support/client';
import { buildWorkspace, type Workspace } from './support/factories';
import { FakeFitbit } from './support/fake-fitbit';
import { FakeGithub } from './support/fake-github';
import { deliver, pushPayload } from './support/github-deliveries';
import { rows } from './support/home-assistant';
import { connect, createPet, pet, TestClock, webhookSecret } from './support/quest';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let fitbit: FakeFitbit;
let github: FakeGithub;
let ws: Workspace;
let fitbitId: string;
let hook: { payloadUrl: string; secret: string };
let petId: string;
// Monday 16 November 2026, 11:00 in Berlin
const clock = new TestClock(new Date('2026-11-16T10:00:00Z'));
const ZONE = 'Europe/Berlin';

beforeAll(async () => {
  fitbit = await FakeFitbit.start({
    clientId: 'FIT1',
    clientSecret: 'fit-secret',
    userId: 'GOAL42',
    displayName: 'Lin',
    timezone: ZONE,
  });
  github = await FakeGithub.start({ clientId: 'gh-goals', clientSecret: 'gh-goals-secret', login: 'lin', userId: 77 });
  server = await startTestServer({ ...fitbit.env(), ...github.env() }, { clock: clock.fn });
  ws = await buildWorkspace(server);
  petId = (await createPet(server, ws.admin.token)).id;
  fitbitId = (await connect(server, ws.admin.token, 'FITBIT')).integration.id;
  const githubId = (await connect(server, ws.admin.token, 'GITHUB')).integration.id;
  hook = await webhookSecret(server, ws.admin.token, githubId);
});
afterAll(async () => {
  await server?.close();
  await fitbit?.close();
  await github?.close();
});

const GOAL =
  'id kind target period timeZone isActive streak bestStreak progress { value target percent met bonusAwarded periodStart periodEnd }';
const goal = async (id: string) =>
  (await gql(server.url, `query($id: ID!) { goal(id: $id) { ${GOAL} } }`, { id }, ws.admin.token)).data?.goal;
const createGoal = async (input: Record<string, unknown>) =>
  gql(server.url, `mutation($i: CreateGoalInput!) { createGoal(input: $i) { ${GOAL} } }`, { i: input }, ws.admin.token);
const sync = async () => {
  const res = await gql(
    server.url,
    'mutation($id: ID!) { syncIntegration(id: $id) { error } }',
    { id: fitbitId },
    ws.admin.token,
  );
  expect(res.data?.syncIntegration.error).toBeNull();
};
const xp = async () => (await pet(server, ws.admin.token, petId)).state.xp as number;
const commits = (n: number, at: string) =>
  pushPayload(
    'lin/garden',
    'lin',
    Array.from({ length: n }, (_, i) => ({ message: `Work ${at} ${i}`, username: 'lin', timestamp: at })),
  );
const DASHBOARD = `query($tz: String) { questDashboard(timeZone: $tz) { timeZone commitsToday commitsThisWeek stepsToday
  stepsThisWeek activeMinutesToday sleepHoursToday xpThisWeek activeStreakDays goalsMet goalsActive computedAt expiresAt fromCache } }`;
const dashboard = async (tz: string | null = ZONE) =>
  (await gql(server.url, DASHBOARD, { tz }, ws.admin.token)).data?.questDashboard;

let steps: string;
let weekly: string;

describe('goals', () => {
  it('are created for a kind, target, period and time zone, with their progress in the current period', async () => {
    for (const bad of [
      { kind: 'STEPS', target: 0, period: 'DAILY' },
      { kind: 'STEPS', target: 20_000_000, period: 'DAILY' },
      { kind: 'STEPS', target: 100, period: 'DAILY', timeZone: 'Mars/Olympus_Mons' },
    ]) {
      expect(errorCode(await createGoal(bad))).toBe('BAD_USER_INPUT');
    }
    const created = await createGoal({ kind: 'STEPS', target: 10_000, period: 'DAILY', timeZone: ZONE });
    steps = created.data?.createGoal.id;
    expect(created.data?.createGoal).toMatchObject({
      kind: 'STEPS',
      target: 10_000,
      isActive: true,
      streak: 0,
      bestStreak: 0,
      progress: {
        value: 0,
        target: 10_000,
        percent: 0,
        met: false,
        bonusAwarded: false,
        periodStart: '2026-11-15T23:00:00.000Z',
        periodEnd: '2026-11-16T23:00:00.000Z',
      },
    });
    weekly = (await createGoal({ kind: 'COMMITS', target: 5, period: 'WEEKLY', timeZone: ZONE })).data?.createGoal.id;
    expect((await goal(weekly)).progress).toMatchObject({
      periodStart: '2026-11-15T23:00:00.000Z',
      periodEnd: '2026-11-22T23:00:00.000Z',
    });
  });

  it('give the pets a bonus once per period when met, and count a streak', async () => {
    fitbit.setDay('2026-11-16', { steps: 6000 });
    await sync();
    expect((await goal(steps)).progress).toMatchObject({ value: 6000, percent: 60, met: false, bonusAwarded: false });
    expect(await xp()).toBe(24);

    fitbit.setDay('2026-11-16', { steps: 12_000 });
    await sync();
    expect(await goal(steps)).toMatchObject({
      streak: 1,
      bestStreak: 1,
      progress: { value: 12_000, percent: 100, met: true, bonusAwarded: true },
    });
    expect(await xp()).toBe(48 + 25);

    // more steps the same day: their XP, but no second bonus
    fitbit.setDay('2026-11-16', { steps: 15_000 });
    await sync();
    await sync();
    expect(await xp()).toBe(60 + 25);
    const completions = await rows<{ n: number }>(
      server,
      sql`select count(*)::int as n from goal_completions where goal_id = ${steps}`,
    );
    expect(completions[0]!.n).toBe(1);

    clock.set('2026-11-17T10:00:00Z');
    fitbit.setDay('2026-11-17', { steps: 10_500 });
    await sync();
    expect(await goal(steps)).toMatchObject({ streak: 2, bestStreak: 2, progress: { met: true } });
    expect(await xp()).toBe(60 + 25 + 42 + 25);

    // Wednesday passes without syncing: on Thursday the streak shows as broken...
    clock.set('2026-11-19T10:00:00Z');
    expect(await goal(steps)).toMatchObject({ streak: 0, bestStreak: 2, progress: { value: 0, met: false } });
    // ...until Wednesday's steps arrive late: both days count, and the streak is whole again.
    fitbit.setDay('2026-11-18', { steps: 11_000 });
    fitbit.setDay('2026-11-19', { steps: 10_000 });
    await sync();
    expect(await goal(steps)).toMatchObject({ streak: 4, bestStreak: 4, progress: { value: 10_000, met: true } });
    expect(await xp()).toBe(60 + 25 + 42 + 25 + 44 + 25 + 40 + 25);
    const met = await rows<{ type: string; payload: any }>(
      server,
      sql`select type, payload from activity_events where type = 'quest.goal_met' and payload->>'goalId' = ${steps} order by created_at, id`,
    );
    expect(met.map((m) => m.payload.periodStart)).toEqual([
      '2026-11-15T23:00:00.000Z',
      '2026-11-16T23:00:00.000Z',
      '2026-11-17T23:00:00.000Z',
      '2026-11-18T23:00:00.000Z',
    ]);
  });

  it('of a week count commits from GitHub, with the weekly bonus once', async () => {
    const before = await xp();
    await deliver(hook.payloadUrl, 'push', commits(3, '2026-11-19T08:00:00Z'), hook.secret);
    expect((await goal(weekly)).progress).toMatchObject({ value: 3, met: false });
    await deliver(hook.payloadUrl, 'push', commits(2, '2026-11-19T09:00:00Z'), hook.secret);
    expect(await goal(weekly)).toMatchObject({ streak: 1, progress: { value: 5, met: true, bonusAwarded: true } });
    await deliver(hook.payloadUrl, 'push', commits(1, '2026-11-19T09:30:00Z'), hook.secret);
    expect((await goal(weekly)).progress.value).toBe(6);
    expect(await xp()).toBe(before + 60 + 100);
  });

  it('are updated and deleted; a lowered target already reached is met at once', async () => {
    const lowered = await createGoal({ kind: 'SLEEP_HOURS', target: 9, period: 'DAILY', timeZone: ZONE });
    const id = lowered.data?.createGoal.id;
    fitbit.setDay('2026-11-19', { sleep: [450] });
    await sync();
    expect((await goal(id)).progress).toMatchObject({ value: 7.5, met: false });
    const before = await xp();
    const updated = await gql(
      server.url,
      `mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { ${GOAL} } }`,
      { i: { id, target: 7 } },
      ws.admin.token,
    );
    expect(updated.data?.updateGoal).toMatchObject({
      target: 7,
      streak: 1,
      progress: { met: true, bonusAwarded: true },
    });
    expect(await xp()).toBe(before + 25);
    const paused = await gql(
      server.url,
      'mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { isActive } }',
      { i: { id, isActive: false } },
      ws.admin.token,
    );
    expect(paused.data?.updateGoal.isActive).toBe(false);
    const wrong = await gql(
      server.url,
      'mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { id } }',
      { i: { id, timeZone: 'Nowhere' } },
      ws.admin.token,
    );
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
    expect(
      (await gql(server.url, 'mutation($id: ID!) { deleteGoal(id: $id) }', { id }, ws.admin.token)).data?.deleteGoal,
    ).toBe(true);
    expect(errorCode(await gql(server.url, 'query($id: ID!) { goal(id: $id) { id } }', { id }, ws.admin.token))).toBe(
      'NOT_FOUND',
    );
    const listed = await gql(
      server.url,
      `{ goals(first: 10) { totalCount edges { node { kind progress { value } } } } }`,
      {},
      ws.admin.token,
    );
    expect(listed.data?.goals.edges.map((e: any) => [e.node.kind, e.node.progress.value])).toEqual([
      ['STEPS', 10_000],
      ['COMMITS', 6],
    ]);
  });
});

describe('the quest dashboard', () => {
  it('is computed once, then served from the cache in one statement until new events land', async () => {
    const first = await dashboard();
    expect(first).toMatchObject({
      timeZone: ZONE,
      commitsToday: 6,
      commitsThisWeek: 6,
      stepsToday: 10_000,
      stepsThisWeek: 15_000 + 10_500 + 11_000 + 10_000,
      sleepHoursToday: 7.5,
      activeStreakDays: 4,
      goalsMet: 2,
      goalsActive: 2,
      fromCache: false,
      computedAt: clock.now.toISOString(),
      expiresAt: new Date(clock.now.getTime() + 300_000).toISOString(),
    });
    expect(first.xpThisWeek).toBe(60 + 42 + 44 + 40 + 6 * 10 + 35);

    const before = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
    clock.advanceHours(0.05);
    const cached = await dashboard();
    const after = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
    expect(cached).toEqual({ ...first, fromCache: true });
    expect(after - before).toBe(1);

    await deliver(hook.payloadUrl, 'push', commits(1, '2026-11-19T10:00:00Z'), hook.secret);
    const fresh = await dashboard();
    expect(fresh).toMatchObject({
      commitsToday: 7,
      commitsThisWeek: 7,
      fromCache: false,
      computedAt: clock.now.toISOString(),
    });
    expect((await dashboard()).fromCache).toBe(true);

    // a goal change invalidates it too
    const extra = await createGoal({ kind: 'ACTIVE_MINUTES', target: 30, period: 'DAILY', timeZone: ZONE });
    expect(await dashboard()).toMatchObject({ goalsActive: 3, fromCache: false });
    await gql(
      server.url,
      'mutation($id: ID!) { deleteGoal(id: $id) }',
      { id: extra.data?.createGoal.id },
      ws.admin.token,
    );

    // and its time runs out
    expect((await dashboard()).fromCache).toBe(false);
    expect((await dashboard()).fromCache).toBe(true);
    clock.advanceHours(0.1);
    expect((await dashboard()).fromCache).toBe(false);
  });

  it('is kept per time zone, never past the end of its day, and refuses an unknown zone', async () => {
    const utc = await dashboard(null);
    expect(utc).toMatchObject({ timeZone: 'UTC', fromCache: false });
    clock.set('2026-11-19T22:58:00Z'); // 23:58 in Berlin
    const late = await dashboard();
    expect(late.expiresAt).toBe('2026-11-19T23:00:00.000Z');
    clock.set('2026-11-19T23:01:00Z');
    expect(await dashboard()).toMatchObject({ fromCache: false, stepsToday: 0, commitsToday: 0, activeStreakDays: 4 });
    expect(errorCode(await gql(server.url, DASHBOARD, { tz: 'Europe/Atlantis' }, ws.admin.token))).toBe(
      'BAD_USER_INPUT',
    );
    const cache = await rows<{ key: string }>(
      server,
      sql`select key from metrics_cache where user_id = ${ws.admin.user.id} order by key`,
    );
    expect(cache.map((c) => c.key)).toEqual(['dashboard:Europe/Berlin', 'dashboard:UTC', 'version']);
  });
});

describe('the goal list', () => {
  it('costs the same number of SQL statements for 2 goals as for 6, progress included', async () => {
    for (const kind of ['PULL_REQUESTS', 'ACTIVE_MINUTES', 'SLEEP_HOURS', 'STEPS']) {
      await createGoal({ kind, target: 3, period: 'WEEKLY', timeZone: 'America/New_York' });
    }
    const statements = async (first: number) => {
      const before = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
      const res = await gql(
        server.url,
        `{ goals(first: ${first}) { edges { node { id streak progress { value met periodStart } } } } }`,
        {},
        ws.admin.token,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.goals.edges).toHaveLength(first);
      return ((await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0) - before;
    };
    const few = await statements(2);
    expect(await statements(6)).toBe(few);
    expect(few).toBe(2);
  });
});

describe('a goal switched from daily to weekly', () => {
  it('counts its weeks apart from its days, even when a week starts the same day', async () => {
    clock.set('2026-11-23T10:00:00Z'); // Monday
    await deliver(hook.payloadUrl, 'push', commits(1, '2026-11-23T09:00:00Z'), hook.secret);
    const created = await createGoal({ kind: 'COMMITS', target: 1, period: 'DAILY', timeZone: ZONE });
    const id = created.data?.createGoal.id;
    expect(created.data?.createGoal).toMatchObject({ streak: 1, progress: { met: true, bonusAwarded: true } });
    const before = await xp();
    const weekly = await gql(
      server.url,
      `mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { ${GOAL} } }`,
      { i: { id, period: 'WEEKLY' } },
      ws.admin.token,
    );
    expect(weekly.data?.updateGoal).toMatchObject({
      period: 'WEEKLY',
      streak: 1,
      bestStreak: 1,
      progress: { periodStart: '2026-11-22T23:00:00.000Z', met: true, bonusAwarded: true },
    });
    expect(await xp()).toBe(before + 100);
  });
});
