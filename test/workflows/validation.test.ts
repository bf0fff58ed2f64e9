import { errorCode, gql, type GraphQLResponse } from '../support/client';
import { buildWorkspace, type Workspace } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';
import { buildWorkflow, countRows, stepInput } from '../support/workflows';

let server: TestServer;
let ws: Workspace;
beforeAll(async () => {
  server = await startTestServer();
  ws = await buildWorkspace(server);
});
afterAll(async () => {
  await server?.close();
});

const CREATE = 'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }';

function expectClean(res: GraphQLResponse<unknown>, code: string) {
  expect(errorCode(res)).toBe(code);
  for (const error of res.errors ?? []) {
    expect(error.extensions?.stacktrace).toBeUndefined();
    expect(error.message).not.toMatch(/\bat \S+ \(|node_modules|violates|relation "|constraint/);
  }
}

describe('bad workflow input gets a coded error and leaves nothing behind', () => {
  it.each([
    ['an empty name', { name: '   ' }, 'BAD_USER_INPUT'],
    ['a name too long', { name: 'x'.repeat(201) }, 'BAD_USER_INPUT'],
    ['too many tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'BAD_USER_INPUT'],
    ['an empty tag', { tags: ['ok', '  '] }, 'BAD_USER_INPUT'],
    ['a tag too long', { tags: ['x'.repeat(51)] }, 'BAD_USER_INPUT'],
    ['a step without selectors', { steps: [{ action: 'CLICK' }] }, 'BAD_USER_INPUT'],
    ['a step with an unknown action', { steps: [stepInput(1, { action: 'HOVER' })] }, 'BAD_USER_INPUT'],
    ['selectors that are not an object', { steps: [stepInput(1, { selectors: ['#a'] })] }, 'BAD_USER_INPUT'],
    ['an AI confidence above 1', { steps: [stepInput(1, { ai: { confidence: 2 } })] }, 'BAD_USER_INPUT'],
    ['a malformed screenshot id', { steps: [stepInput(1, { screenshotId: 'abc' })] }, 'BAD_USER_INPUT'],
    [
      'an unknown screenshot',
      { steps: [stepInput(1), stepInput(2, { screenshotId: '01890000-0000-7000-8000-000000000000' })] },
      'NOT_FOUND',
    ],
  ])('createWorkflow with %s', async (_label, patch, code) => {
    const name = `Half-written ${Math.random()}`;
    const res = await gql(server.url, CREATE, { input: { name, ...patch } }, ws.admin.token);
    expectClean(res, code);
    expect(res.data ?? null).toBeNull();
    expect(await countRows(server, 'select count(*)::int n from workflows where name = ?', [name])).toBe(0);
  });

  it('lists, ids and cursors', async () => {
    const t = ws.admin.token;
    const workflow = await buildWorkflow(server, t, {}, 1);
    expectClean(await gql(server.url, '{ workflows(first: 101) { totalCount } }', {}, t), 'BAD_USER_INPUT');
    expectClean(
      await gql(server.url, '{ workflows(first: 5, after: "bogus") { totalCount } }', {}, t),
      'BAD_USER_INPUT',
    );
    expectClean(await gql(server.url, '{ workflow(id: "1; drop table workflows") { id } }', {}, t), 'BAD_USER_INPUT');
    expectClean(
      await gql(
        server.url,
        'query($id: ID!) { workflow(id: $id) { healthLogs(first: 500) { totalCount } } }',
        { id: workflow.id },
        t,
      ),
      'BAD_USER_INPUT',
    );
    expectClean(
      await gql(
        server.url,
        'query($id: ID!) { workflow(id: $id) { screenshots(first: -1) { totalCount } } }',
        { id: workflow.id },
        t,
      ),
      'BAD_USER_INPUT',
    );
    expectClean(
      await gql(server.url, '{ workflows(first: 5, filter: { status: LOST }) { totalCount } }', {}, t),
      'GRAPHQL_VALIDATION_FAILED',
    );
    expectClean(
      await gql(
        server.url,
        'mutation($id: ID!) { updateStep(input: { id: $id, elementMeta: null, pageContext: null }) { id } }',
        { id: workflow.steps[0].id },
        t,
      ),
      'BAD_USER_INPUT',
    );
    expectClean(
      await gql(
        server.url,
        'mutation($id: ID!) { updateWorkflow(input: { id: $id, name: null }) { id } }',
        { id: workflow.id },
        t,
      ),
      'BAD_USER_INPUT',
    );
  });
});
