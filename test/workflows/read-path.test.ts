import { gql } from '../support/client';
import { buildWorkspace } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';
import { buildActiveWorkflow, png, recordRun, uploadScreenshot } from '../support/workflows';

let server: TestServer;
beforeAll(async () => {
  // A signed-in viewer read again mid-measurement would add a statement: keep it cached throughout.
  server = await startTestServer({ VIEWER_CACHE_SECONDS: '300' });
});
afterAll(async () => {
  await server?.close();
});

async function statementsFor(query: string, token: string): Promise<{ count: number; data: any }> {
  const before = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
  const res = await gql(server.url, query, {}, token);
  expect(res.errors).toBeUndefined();
  const after = (await server.app.metrics.dbQueries.get()).values[0]?.value ?? 0;
  return { count: after - before, data: res.data };
}

const NESTED = (first: number) => `{ workflows(first: ${first}) { totalCount edges { node { id name status
  createdBy { id displayName } health { runs successRate }
  steps { id stepNumber action screenshot { sha256 url } workflow { id name } }
  healthLogs(first: 3) { totalCount edges { node { id status step { id stepNumber } ranBy { id } } } }
  screenshots(first: 2) { totalCount edges { node { id } } } } } } }`;

describe('the workflows list', () => {
  it('sends as many SQL statements for 2 workflows as for 10, with their steps, screenshots and runs', async () => {
    const ws = await buildWorkspace(server);
    const t = ws.admin.token;
    for (let w = 0; w < 10; w++) {
      const workflow = await buildActiveWorkflow(server, t, { name: `Flow ${w}` }, 3);
      for (const [s, step] of workflow.steps.entries()) {
        await uploadScreenshot(server, t, { workflowId: workflow.id, stepId: step.id }, png(100 * w + s));
      }
      for (let r = 0; r < 4; r++) {
        await recordRun(server, t, {
          workflowId: workflow.id,
          status: r % 2 ? 'SUCCESS' : 'FAILURE',
          ...(r % 2 ? {} : { failedStepId: workflow.steps[r % 3].id }),
        });
      }
    }
    const small = await statementsFor(NESTED(2), t);
    const large = await statementsFor(NESTED(10), t);
    expect(large.data.workflows.edges).toHaveLength(10);
    for (const { node } of large.data.workflows.edges) {
      expect(node.steps.map((s: any) => s.stepNumber)).toEqual([1, 2, 3]);
      expect(node.steps.every((s: any) => /^[0-9a-f]{64}$/.test(s.screenshot.sha256))).toBe(true);
      expect(node.healthLogs.totalCount).toBe(4);
      expect(node.healthLogs.edges).toHaveLength(3);
      expect(node.screenshots.totalCount).toBe(3);
    }
    expect(large.count).toBe(small.count);

    // the benchmark's shape: the page, the steps with their screenshots, the runs
    const bench = await statementsFor(
      `{ workflows(first: 10) { edges { node { id name status steps { id stepNumber action screenshot { sha256 } }
        healthLogs(first: 10) { edges { node { id status } } } } } } }`,
      t,
    );
    expect(bench.count).toBe(3);
  });
});
