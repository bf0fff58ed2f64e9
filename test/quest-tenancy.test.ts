import { errorCode, gql, subscribe, wsClient } from './support/client';
import { buildMember, buildWorkspace, type SignedIn } from './support/factories';
import { FakeGithub } from './support/fake-github';
import { deliver, pushPayload } from './support/github-deliveries';
import { connect, createPet, TestClock, webhookSecret } from './support/quest';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let github: FakeGithub;
const clock = new TestClock(new Date('2026-11-18T09:00:00Z'));

beforeAll(async () => {
  github = await FakeGithub.start({ clientId: 'gh-t', clientSecret: 'gh-t-secret', login: 'ann', userId: 5 });
  server = await startTestServer(github.env(), { clock: clock.fn });
});
afterAll(async () => {
  await server?.close();
  await github?.close();
});

const EVERYTHING = `{
  pets(first: 50) { totalCount edges { node { id } } }
  integrations(first: 50) { totalCount edges { node { id } } }
  questEvents(first: 50) { totalCount edges { node { id } } }
  rawEvents(first: 50) { totalCount edges { node { id } } }
  goals(first: 50) { totalCount edges { node { id } } }
  questDashboard { commitsThisWeek goalsActive activeStreakDays }
}`;

describe('quest data is personal', () => {
  it('another member of the household, and another household, see and change none of it', async () => {
    const home = await buildWorkspace(server);
    const ann = home.admin;
    const housemate: SignedIn = await buildMember(server, home);
    const stranger = (await buildWorkspace(server)).admin;

    const annPet = await createPet(server, ann.token, 'Ann’s');
    const integrationId = (await connect(server, ann.token, 'GITHUB')).integration.id;
    const hook = await webhookSecret(server, ann.token, integrationId);
    const goal = await gql(
      server.url,
      'mutation { createGoal(input: { kind: COMMITS, target: 1, period: DAILY }) { id } }',
      {},
      ann.token,
    );
    const goalId = goal.data?.createGoal.id;
    const annSees = wsClient(server.url, ann.token);
    const otherSees = [wsClient(server.url, housemate.token), wsClient(server.url, stranger.token)];
    try {
      const annUpdates = subscribe(annSees, 'subscription { petUpdated { id } }');
      const othersUpdates = otherSees.map((c) => subscribe(c, 'subscription { petUpdated { id } }'));
      const byId = subscribe(otherSees[0]!, 'subscription($id: ID) { petUpdated(id: $id) { id } }', { id: annPet.id });
      await new Promise((r) => setTimeout(r, 150));
      const delivered = await deliver(
        hook.payloadUrl,
        'push',
        pushPayload('ann/home', 'ann', [{ message: 'Mine', username: 'ann', timestamp: '2026-11-18T08:00:00Z' }]),
        hook.secret,
      );
      expect(delivered.body).toMatchObject({ status: 'PROCESSED', events: 1 });
      expect((await annUpdates.next()).petUpdated.id).toBe(annPet.id);
      for (const s of [...othersUpdates, byId]) await expect(s.next(300)).rejects.toThrow(/no event/);

      const annState = await gql(server.url, EVERYTHING, {}, ann.token);
      expect(annState.data).toMatchObject({
        pets: { totalCount: 1 },
        integrations: { totalCount: 1 },
        questEvents: { totalCount: 1 },
        rawEvents: { totalCount: 1 },
        goals: { totalCount: 1 },
        questDashboard: { commitsThisWeek: 1, goalsActive: 1, activeStreakDays: 1 },
      });
      const eventId = annState.data?.questEvents.edges[0].node.id;
      const rawId = annState.data?.rawEvents.edges[0].node.id;

      for (const other of [housemate, stranger]) {
        const theirs = await gql(server.url, EVERYTHING, {}, other.token);
        expect(theirs.errors).toBeUndefined();
        expect(theirs.data).toEqual({
          pets: { totalCount: 0, edges: [] },
          integrations: { totalCount: 0, edges: [] },
          questEvents: { totalCount: 0, edges: [] },
          rawEvents: { totalCount: 0, edges: [] },
          goals: { totalCount: 0, edges: [] },
          questDashboard: { commitsThisWeek: 0, goalsActive: 0, activeStreakDays: 0 },
        });
        const attempts = await Promise.all([
          gql(server.url, 'query($id: ID!) { pet(id: $id) { id } }', { id: annPet.id }, other.token),
          gql(server.url, 'query($id: ID!) { integration(id: $id) { id } }', { id: integrationId }, other.token),
          gql(server.url, 'query($id: ID!) { rawEvent(id: $id) { id } }', { id: rawId }, other.token),
          gql(server.url, 'query($id: ID!) { goal(id: $id) { id } }', { id: goalId }, other.token),
          gql(server.url, 'mutation($id: ID!) { feedPet(id: $id) { id } }', { id: annPet.id }, other.token),
          gql(server.url, 'mutation($id: ID!) { restPet(id: $id) { id } }', { id: annPet.id }, other.token),
          gql(
            server.url,
            'mutation($id: ID!) { renamePet(id: $id, name: "Mine now") { id } }',
            { id: annPet.id },
            other.token,
          ),
          gql(server.url, 'mutation($id: ID!) { deletePet(id: $id) }', { id: annPet.id }, other.token),
          gql(
            server.url,
            'mutation($id: ID!) { disconnectIntegration(id: $id) { id } }',
            { id: integrationId },
            other.token,
          ),
          gql(
            server.url,
            'mutation($id: ID!) { createGithubWebhookSecret(integrationId: $id) { secret } }',
            { id: integrationId },
            other.token,
          ),
          gql(
            server.url,
            'mutation($id: ID!) { syncIntegration(id: $id) { error } }',
            { id: integrationId },
            other.token,
          ),
          gql(
            server.url,
            'mutation($id: ID!) { updateGoal(input: { id: $id, target: 99 }) { id } }',
            { id: goalId },
            other.token,
          ),
          gql(server.url, 'mutation($id: ID!) { deleteGoal(id: $id) }', { id: goalId }, other.token),
        ]);
        for (const res of attempts) {
          expect([res.errors?.[0]?.path, errorCode(res)]).toEqual([res.errors?.[0]?.path, 'NOT_FOUND']);
        }
        expect(JSON.stringify(theirs.data)).not.toContain(eventId);
      }
      // Ann's data is exactly as it was.
      const after = await gql(server.url, EVERYTHING, {}, ann.token);
      expect(after.data).toEqual(annState.data);
      const mine = await gql(
        server.url,
        'query($id: ID!) { pet(id: $id) { name state { xp } } }',
        { id: annPet.id },
        ann.token,
      );
      expect(mine.data?.pet).toEqual({ name: 'Ann’s', state: { xp: 10 + 25 } });
    } finally {
      await annSees.dispose();
      for (const c of otherSees) await c.dispose();
    }
  });

  it('nothing of it without signing in', async () => {
    const res = await gql(server.url, '{ pets(first: 1) { totalCount } }');
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(server.url, '{ questDashboard { goalsMet } }'))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(server.url, 'mutation { createPet(input: { name: "x", species: "y" }) { id } }'))).toBe(
      'UNAUTHENTICATED',
    );
  });
});
