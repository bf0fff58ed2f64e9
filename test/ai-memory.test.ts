import { errorCode, gql } from './support/client';
import { buildMember, buildWorkspace, type SignedIn } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const SET = `mutation($key: String!, $value: String!, $category: String) {
  setAiMemory(key: $key, value: $value, category: $category) { id key value category createdAt updatedAt } }`;
const LIST = `query($filter: AiMemoryFilter, $after: String) { aiMemories(first: 2, after: $after, filter: $filter) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { key value category } } } }`;

const set = (user: SignedIn, key: string, value: string, category?: string | null) =>
  gql(server.url, SET, { key, value, category }, user.token);

describe('AI memories', () => {
  it('upsert by key: one memory per key and user, the value and category replaced', async () => {
    const ws = await buildWorkspace(server);
    const { admin } = ws;
    const first = (await set(admin, 'diet', 'vegetarian', 'food')).data?.setAiMemory;
    const second = (await set(admin, '  diet ', 'vegan', null)).data?.setAiMemory;
    expect(second).toMatchObject({
      id: first.id,
      key: 'diet',
      value: 'vegan',
      category: null,
      createdAt: first.createdAt,
    });
    // at the same time, many times: still one
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => set(admin, 'mood', `take ${i}`, 'feelings')));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    const list = await gql(server.url, LIST, { filter: { prefix: 'mood' } }, admin.token);
    expect(list.data?.aiMemories.totalCount).toBe(1);
    // the same key is another user's own memory
    const member = await buildMember(server, ws);
    const theirs = (await set(member, 'diet', 'anything', null)).data?.setAiMemory;
    expect(theirs.id).not.toBe(first.id);
    expect((await gql(server.url, LIST, {}, admin.token)).data?.aiMemories.edges[0].node.value).toBe('vegan');
  });

  it('list by key, filtered by prefix or category', async () => {
    const { admin } = await buildWorkspace(server);
    await set(admin, 'home.city', 'Lisbon', 'places');
    await set(admin, 'home.street', 'Rua Augusta', 'places');
    await set(admin, 'work.city', 'Porto', 'places');
    await set(admin, 'allergy', 'peanuts', 'health');
    const page = async (filter: Record<string, unknown> | null, after?: string) =>
      (await gql(server.url, LIST, { filter, after }, admin.token)).data?.aiMemories;
    const first = await page(null);
    expect(first.edges.map((e: any) => e.node.key)).toEqual(['allergy', 'home.city']);
    const rest = await page(null, first.pageInfo.endCursor);
    expect(rest.edges.map((e: any) => e.node.key)).toEqual(['home.street', 'work.city']);
    expect((await page({ prefix: 'home.' })).totalCount).toBe(2);
    expect((await page({ prefix: 'home%' })).totalCount).toBe(0); // a prefix, not a pattern
    expect((await page({ category: 'health' })).edges).toEqual([
      { node: { key: 'allergy', value: 'peanuts', category: 'health' } },
    ]);
  });

  it('delete by key; a key that is not there (or someone else’s) is NOT_FOUND', async () => {
    const { admin } = await buildWorkspace(server);
    const other = await buildWorkspace(server);
    await set(admin, 'pin', '1234');
    const del = (user: SignedIn, key: string) =>
      gql(server.url, 'mutation($key: String!) { deleteAiMemory(key: $key) }', { key }, user.token);
    expect(errorCode(await del(other.admin, 'pin'))).toBe('NOT_FOUND');
    expect((await del(admin, 'pin')).data?.deleteAiMemory).toBe(true);
    expect(errorCode(await del(admin, 'pin'))).toBe('NOT_FOUND');
  });

  it('refuse empty or oversized keys and values with BAD_USER_INPUT', async () => {
    const { admin } = await buildWorkspace(server);
    for (const [key, value, category] of [
      ['', 'x', null],
      ['   ', 'x', null],
      ['k'.repeat(201), 'x', null],
      ['line\nbreak', 'x', null],
      ['ok', '', null],
      ['ok', 'v'.repeat(10_001), null],
      ['ok', 'x', 'c'.repeat(101)],
    ] as const) {
      expect(errorCode(await set(admin, key, value, category))).toBe('BAD_USER_INPUT');
    }
  });

  it('are nobody else’s to see', async () => {
    const { admin } = await buildWorkspace(server);
    await set(admin, 'secret', 'hidden');
    const other = await buildWorkspace(server);
    expect((await gql(server.url, LIST, {}, other.admin.token)).data?.aiMemories.totalCount).toBe(0);
    expect(errorCode(await gql(server.url, LIST, {}, undefined))).toBe('UNAUTHENTICATED');
  });
});

describe('the activity feed', () => {
  it('shows the viewer’s own events, newest first, filtered by type group and time', async () => {
    const ws = await buildWorkspace(server);
    const member = await buildMember(server, ws);
    const login = await gql(server.url, 'mutation($input: LogInInput!) { logIn(input: $input) { accessToken } }', {
      input: { email: ws.admin.email, password: ws.admin.password },
    });
    const token = login.data?.logIn.accessToken as string;
    const feed = async (filter: Record<string, unknown> | null, t = token) =>
      (
        await gql(
          server.url,
          `query($filter: ActivityFilter) { activity(first: 10, filter: $filter) {
             totalCount edges { node { type message payload createdAt } } } }`,
          { filter },
          t,
        )
      ).data?.activity;
    const all = await feed(null);
    expect(all.edges.map((e: any) => e.node.type)).toEqual(['auth.signed_in', 'workspace.created']);
    expect((await feed({ type: 'auth' })).edges.map((e: any) => e.node.type)).toEqual(['auth.signed_in']);
    expect((await feed({ type: 'auth.signed_in' })).totalCount).toBe(1);
    expect((await feed({ type: 'au' })).totalCount).toBe(0);
    const signedUp = all.edges[1].node.createdAt as string;
    expect((await feed({ to: signedUp })).totalCount).toBe(0);
    expect((await feed({ from: signedUp })).totalCount).toBe(2);
    expect(
      errorCode(
        await gql(
          server.url,
          '{ activity(first: 1, filter: { from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" }) { totalCount } }',
          {},
          token,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    // the member sees their own joining, not the admin's sign-in
    expect((await feed(null, member.token)).edges.map((e: any) => e.node.type)).toEqual(['member.joined']);
  });
});
