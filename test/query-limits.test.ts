import { errorCode, gql, subscribe, wsClient } from './support/client';
import { buildWorkspace, type Workspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let ws: Workspace;
beforeAll(async () => {
  server = await startTestServer({
    QUERY_MAX_DEPTH: '6',
    QUERY_MAX_ALIASES: '5',
    QUERY_MAX_COST: '300',
    QUERY_MAX_BYTES: '2000',
  });
  ws = await buildWorkspace(server);
});
afterAll(async () => {
  await server?.close();
});

const deep =
  '{ me { workspace { members(first: 1) { edges { node { workspace { members(first: 1) { totalCount } } } } } } } }';
const aliases = `{ ${Array.from({ length: 6 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
const costly = '{ workspace { members(first: 100) { edges { node { id email displayName role } } } } }';
const huge = `{ me { id } } # ${'x'.repeat(3000)}`;

describe('query limits over HTTP', () => {
  it.each([
    ['depth', deep, /levels deep/],
    ['aliases', aliases, /aliases/],
    ['cost', costly, /costs/],
  ])('rejects a document over the %s limit with a coded 4xx error', async (_limit, query, message) => {
    const res = await gql(server.url, query, {}, ws.admin.token);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('QUERY_TOO_COMPLEX');
    expect(res.errors?.[0]?.message).toMatch(message);
    expect(res.data ?? null).toBeNull();
  });

  it('rejects a document over the size limit', async () => {
    const res = await gql(server.url, huge, {}, ws.admin.token);
    expect(res.status).toBe(413);
    expect(errorCode(res)).toBe('QUERY_TOO_COMPLEX');
  });

  it('still runs a document within the limits', async () => {
    const res = await gql(
      server.url,
      '{ me { id } workspace { members(first: 5) { totalCount } } }',
      {},
      ws.admin.token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.workspace.members.totalCount).toBe(1);
  });
});

describe('query limits over WebSocket', () => {
  it.each([
    ['depth', deep],
    ['aliases', aliases],
    ['cost', costly],
    ['size', huge],
  ])('rejects a document over the %s limit', async (_limit, query) => {
    const client = wsClient(server.url, ws.admin.token);
    try {
      const op = subscribe(client, query);
      await expect(op.next()).rejects.toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX' }) }),
      ]);
      // the connection survives the rejection
      const ok = subscribe(client, '{ me { id } }');
      await expect(ok.next()).resolves.toEqual({ me: { id: ws.admin.user.id } });
    } finally {
      await client.dispose();
    }
  });
});
