import { sql } from 'kysely';
import { errorCode, gql, subscribe, wsClient } from './support/client';
import { buildWorkspace, type Workspace } from './support/factories';
import { FakeGithub } from './support/fake-github';
import { deliver, pushPayload } from './support/github-deliveries';
import { rows } from './support/home-assistant';
import { connect, createPet, pet, PET_FIELDS, TestClock, webhookSecret } from './support/quest';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let github: FakeGithub;
let ws: Workspace;
// Monday 16 November 2026, 08:00 UTC
const clock = new TestClock(new Date('2026-11-16T08:00:00Z'));

beforeAll(async () => {
  github = await FakeGithub.start({ clientId: 'gh', clientSecret: 'gh-secret', login: 'octocat', userId: 9 });
  server = await startTestServer(github.env(), { clock: clock.fn });
  ws = await buildWorkspace(server);
});
afterAll(async () => {
  await server?.close();
  await github?.close();
});

const mutate = (name: string, id: string) =>
  gql(server.url, `mutation($id: ID!) { ${name}(id: $id) { ${PET_FIELDS} } }`, { id }, ws.admin.token);

describe('pets', () => {
  it('are created rested and fed at level 1, with their traits, and checked', async () => {
    const created = await createPet(server, ws.admin.token, '  Mochi ');
    expect(created).toMatchObject({
      name: 'Mochi',
      species: 'dragon',
      traits: { color: 'teal' },
      state: {
        energy: 100,
        hunger: 0,
        level: 1,
        xp: 0,
        levelXp: 0,
        nextLevelXp: 100,
        mood: 'HAPPY',
        lastEventId: null,
      },
    });
    expect(created.state.lastUpdate).toBe(clock.now.toISOString());
    const bad = [
      { name: '', species: 'cat' },
      { name: 'x'.repeat(101), species: 'cat' },
      { name: 'Rex', species: ' ' },
      { name: 'Rex', species: 'cat', traits: { color: 'c'.repeat(31) } },
    ];
    for (const input of bad) {
      const res = await gql(
        server.url,
        'mutation($i: CreatePetInput!) { createPet(input: $i) { id } }',
        { i: input },
        ws.admin.token,
      );
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    }
    const renamed = await gql(
      server.url,
      'mutation($id: ID!) { renamePet(id: $id, name: "Mochi II") { name } }',
      { id: created.id },
      ws.admin.token,
    );
    expect(renamed.data?.renamePet.name).toBe('Mochi II');
    // The database keeps the bounds too.
    await expect(
      rows(server, sql`update pets set state_json = jsonb_set(state_json, '{energy}', '101') where id = ${created.id}`),
    ).rejects.toThrow(/pets_state_bounds_check/);
    expect(errorCode(await mutate('feedPet', 'not-an-id'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await mutate('feedPet', '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
  });

  it('live through a simulated week: hunger rises and energy falls from the clock alone, care within bounds', async () => {
    clock.set('2026-11-16T08:00:00Z');
    const cared = await createPet(server, ws.admin.token, 'Cared');
    const neglected = await createPet(server, ws.admin.token, 'Neglected');
    const storedBefore = await rows<{ state_json: unknown; updated_at: string }>(
      server,
      sql`select state_json, updated_at from pets where id = ${neglected.id}`,
    );
    const seen: Array<{ energy: number; hunger: number; mood: string }> = [];
    /** A visit: fed twice and rested; twelve hours apart, the pet is back where it was. */
    const visit = async (before: { hunger: number; energy: number }) => {
      const now = await pet(server, ws.admin.token, cared.id);
      expect(now.state).toMatchObject({ ...before, mood: 'CONTENT' });
      await mutate('feedPet', cared.id);
      const fed = await mutate('feedPet', cared.id);
      expect(fed.data?.feedPet.state.hunger).toBe(0);
      const rested = await mutate('restPet', cared.id);
      expect(rested.data?.restPet.state).toMatchObject({ hunger: 10, energy: 100, mood: 'HAPPY' });
    };
    for (let day = 0; day < 7; day++) {
      const date = `2026-11-${16 + day}`;
      if (day > 0) {
        clock.set(`${date}T08:00:00Z`);
        await visit({ hunger: 58, energy: 64 });
      }
      clock.set(`${date}T20:00:00Z`);
      await visit(day === 0 ? { hunger: 48, energy: 64 } : { hunger: 58, energy: 64 });
      const alone = (await pet(server, ws.admin.token, neglected.id)).state;
      seen.push({ energy: alone.energy, hunger: alone.hunger, mood: alone.mood });
    }
    expect(seen).toEqual([
      { energy: 64, hunger: 48, mood: 'CONTENT' },
      { energy: 0, hunger: 100, mood: 'MISERABLE' },
      { energy: 0, hunger: 100, mood: 'MISERABLE' },
      { energy: 0, hunger: 100, mood: 'MISERABLE' },
      { energy: 0, hunger: 100, mood: 'MISERABLE' },
      { energy: 0, hunger: 100, mood: 'MISERABLE' },
      { energy: 0, hunger: 100, mood: 'MISERABLE' },
    ]);
    // Nothing rewrote the neglected pet's row while the week passed.
    expect(await rows(server, sql`select state_json, updated_at from pets where id = ${neglected.id}`)).toEqual(
      storedBefore,
    );
    // Cared for, it ends the week in good shape.
    clock.set('2026-11-22T21:00:00Z');
    expect((await pet(server, ws.admin.token, cared.id)).state).toMatchObject({
      mood: 'HAPPY',
      hunger: 14,
      energy: 97,
    });
  });

  it('gain XP from commits, level up at 100 XP with an activity event, and tell their owner', async () => {
    clock.set('2026-11-23T08:00:00Z');
    const other = await buildWorkspace(server);
    const mine = await createPet(server, other.admin.token, 'Bit');
    const integrationId = (await connect(server, other.admin.token, 'GITHUB')).integration.id;
    const hook = await webhookSecret(server, other.admin.token, integrationId);
    const client = wsClient(server.url, other.admin.token);
    const stranger = wsClient(server.url, ws.admin.token);
    try {
      const updates = subscribe(
        client,
        `subscription($id: ID) { petUpdated(id: $id) { id state { level xp lastEventId } } }`,
        {
          id: mine.id,
        },
      );
      const strangers = subscribe(stranger, 'subscription { petUpdated { id } }');
      await new Promise((r) => setTimeout(r, 150));
      const commits = (n: number, from: number) =>
        Array.from({ length: n }, (_, i) => ({
          message: `Commit ${from + i}`,
          username: 'octocat',
          timestamp: `2026-11-23T0${7 + Math.floor((from + i) / 60)}:${String((from + i) % 60).padStart(2, '0')}:00Z`,
        }));
      await deliver(hook.payloadUrl, 'push', pushPayload('octo/pet', 'octocat', commits(9, 0)), hook.secret);
      const nine = (await updates.next()).petUpdated;
      expect(nine.state).toMatchObject({ level: 1, xp: 90 });
      expect(nine.state.lastEventId).toMatch(/^[0-9a-f-]{36}$/);
      await deliver(hook.payloadUrl, 'push', pushPayload('octo/pet', 'octocat', commits(1, 9)), hook.secret);
      expect((await updates.next()).petUpdated.state).toMatchObject({ level: 2, xp: 100 });
      await expect(strangers.next(300)).rejects.toThrow(/no event/);
      const activity = await rows<{ type: string; message: string; payload: any; user_id: string }>(
        server,
        sql`select type, message, payload, user_id from activity_events where payload->>'petId' = ${mine.id}`,
      );
      expect(activity).toEqual([
        {
          type: 'quest.pet_leveled_up',
          message: 'Bit reached level 2',
          user_id: other.admin.user.id,
          payload: { petId: mine.id, level: 2, previousLevel: 1, xp: 100, reason: '1 COMMIT' },
        },
      ]);
      expect((await pet(server, other.admin.token, mine.id)).state).toMatchObject({
        level: 2,
        levelXp: 100,
        nextLevelXp: 300,
      });
    } finally {
      await client.dispose();
      await stranger.dispose();
    }
  });

  it('are listed page by page and deleted', async () => {
    const page = await gql(
      server.url,
      '{ pets(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }',
      {},
      ws.admin.token,
    );
    expect(page.data?.pets.totalCount).toBe(3);
    expect(page.data?.pets.edges.map((e: any) => e.node.name)).toEqual(['Mochi II', 'Cared']);
    const rest = await gql(
      server.url,
      'query($after: String) { pets(first: 2, after: $after) { edges { node { id name } } } }',
      { after: page.data?.pets.pageInfo.endCursor },
      ws.admin.token,
    );
    const last = rest.data?.pets.edges[0].node;
    expect(last.name).toBe('Neglected');
    const deleted = await gql(server.url, 'mutation($id: ID!) { deletePet(id: $id) }', { id: last.id }, ws.admin.token);
    expect(deleted.data?.deletePet).toBe(true);
    expect(
      errorCode(await gql(server.url, 'query($id: ID!) { pet(id: $id) { id } }', { id: last.id }, ws.admin.token)),
    ).toBe('NOT_FOUND');
  });
});
