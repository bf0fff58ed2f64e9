import { errorCode, gql, subscribe, wsClient } from '../support/client';
import { buildMember, buildWorkspace, type SignedIn, type Workspace } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';
import { buildActiveWorkflow, buildWorkflow, countRows, recordRun, setStatus } from '../support/workflows';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const HEALTH = `query($id: ID!) { workflow(id: $id) { status health { successRate runs successes failures healed
  consecutiveFailures lastRunAt lastSuccessAt lastFailureAt }
  healthLogs(first: 20) { totalCount edges { node { status error step { id } ranBy { id } } } } } }`;
const ALERTS = `{ notifications(first: 50) { edges { node { title message severity audience sourceType sourceId } } } }`;

async function alertsAbout(token: string, workflowId: string) {
  const res = await gql(server.url, ALERTS, {}, token);
  return res.data?.notifications.edges.map((e: any) => e.node).filter((n: any) => n.sourceId === workflowId);
}

async function workspaceWithMember(): Promise<{ ws: Workspace; member: SignedIn }> {
  const ws = await buildWorkspace(server);
  return { ws, member: await buildMember(server, ws) };
}

describe('workflow health', () => {
  it('counts runs, and breaks a workflow after N failures in a row, telling the admins once', async () => {
    const { ws, member } = await workspaceWithMember();
    const workflow = await buildActiveWorkflow(server, member.token, { name: 'Pay invoices' });
    const stepId = workflow.steps[1].id;
    const run = (status: string, extra: Record<string, unknown> = {}) =>
      recordRun(server, member.token, { workflowId: workflow.id, status, ...extra });

    expect((await run('SUCCESS', { durationMs: 1200 })).data?.recordWorkflowRun.workflow.health).toEqual({
      runs: 1,
      consecutiveFailures: 0,
      successRate: 1,
    });
    await run('FAILURE', { failedStepId: stepId, error: 'element not found' });
    await run('FAILURE', { failedStepId: stepId, error: 'element not found' });
    expect(await alertsAbout(ws.admin.token, workflow.id)).toEqual([]);
    const third = await run('FAILURE', { failedStepId: stepId, error: 'timeout', errorType: 'timeout' });
    expect(third.data?.recordWorkflowRun.workflow).toMatchObject({
      status: 'BROKEN',
      health: { consecutiveFailures: 3 },
    });
    // more failures while broken tell nobody again
    await run('FAILURE');
    await run('FAILURE');

    const alerts = await alertsAbout(ws.admin.token, workflow.id);
    expect(alerts).toEqual([
      {
        title: 'Workflow "Pay invoices" is broken',
        message: 'It failed 3 times in a row.',
        severity: 'ERROR',
        audience: 'ADMINS',
        sourceType: 'workflow',
        sourceId: workflow.id,
      },
    ]);
    expect(await alertsAbout(member.token, workflow.id)).toEqual([]);
    const activity = await countRows(
      server,
      "select count(*)::int n from activity_events where type = 'workflow.status_changed' and payload->>'workflowId' = ? and payload->>'to' = 'BROKEN'",
      [workflow.id],
    );
    expect(activity).toBe(1);

    const state = (await gql(server.url, HEALTH, { id: workflow.id }, member.token)).data?.workflow;
    expect(state.health).toMatchObject({
      runs: 6,
      successes: 1,
      failures: 5,
      healed: 0,
      consecutiveFailures: 5,
      lastRunAt: expect.any(String),
      lastSuccessAt: expect.any(String),
    });
    expect(state.health.successRate).toBeCloseTo(1 / 6);
    expect(state.healthLogs.totalCount).toBe(6);
    expect(state.healthLogs.edges[2].node).toEqual({
      status: 'FAILURE',
      error: 'timeout',
      step: { id: stepId },
      ranBy: { id: member.user.id },
    });

    // repaired and made ACTIVE again: the count starts afresh
    await setStatus(server, ws.admin.token, workflow.id, 'ACTIVE');
    const after = await run('FAILURE');
    expect(after.data?.recordWorkflowRun.workflow).toMatchObject({
      status: 'ACTIVE',
      health: { consecutiveFailures: 1 },
    });
  });

  it('puts a workflow up for review when its success rate over the last runs falls under the threshold, once', async () => {
    const { ws, member } = await workspaceWithMember();
    const settings = await gql(
      server.url,
      'mutation { updateWorkflowHealthSettings(input: { reviewWindowRuns: 5, reviewBelowSuccessRate: 0.6 }) { brokenAfterFailures reviewWindowRuns reviewBelowSuccessRate } }',
      {},
      ws.admin.token,
    );
    expect(settings.data?.updateWorkflowHealthSettings).toEqual({
      brokenAfterFailures: 3,
      reviewWindowRuns: 5,
      reviewBelowSuccessRate: 0.6,
    });
    const workflow = await buildActiveWorkflow(server, member.token, { name: 'Order supplies' });
    const statuses: string[] = [];
    // F S F S F: 2 of 5 succeed (40 % < 60 %), never 3 failures in a row
    for (const status of ['FAILURE', 'SUCCESS', 'FAILURE', 'SUCCESS', 'FAILURE', 'SUCCESS', 'FAILURE']) {
      const res = await recordRun(server, member.token, { workflowId: workflow.id, status });
      statuses.push(res.data?.recordWorkflowRun.workflow.status);
    }
    expect(statuses).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'NEEDS_REVIEW', 'NEEDS_REVIEW', 'NEEDS_REVIEW']);
    expect(await alertsAbout(ws.admin.token, workflow.id)).toEqual([
      expect.objectContaining({
        title: 'Workflow "Order supplies" needs review',
        message: '40 % of its last 5 runs succeeded (below 60 %).',
        severity: 'WARNING',
      }),
    ]);
    // still failing while up for review: broken after 3 in a row, one more (ERROR) alert
    await recordRun(server, member.token, { workflowId: workflow.id, status: 'FAILURE' });
    const broken = await recordRun(server, member.token, { workflowId: workflow.id, status: 'FAILURE' });
    expect(broken.data?.recordWorkflowRun.workflow.status).toBe('BROKEN');
    const alerts = await alertsAbout(ws.admin.token, workflow.id);
    expect(alerts.map((a: any) => a.severity)).toEqual(['ERROR', 'WARNING']);
  });

  it('counts concurrent failing runs one by one and alerts exactly once', async () => {
    const { ws, member } = await workspaceWithMember();
    const workflow = await buildActiveWorkflow(server, member.token);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        recordRun(server, i % 2 ? member.token : ws.admin.token, { workflowId: workflow.id, status: 'FAILURE' }),
      ),
    );
    for (const res of results) expect(res.errors).toBeUndefined();
    const state = (await gql(server.url, HEALTH, { id: workflow.id }, member.token)).data?.workflow;
    expect(state).toMatchObject({ status: 'BROKEN', health: { runs: 12, failures: 12, consecutiveFailures: 12 } });
    expect(await alertsAbout(ws.admin.token, workflow.id)).toHaveLength(1);
  });

  it('records which selectors healed a step', async () => {
    const { member } = await workspaceWithMember();
    const workflow = await buildActiveWorkflow(server, member.token);
    const step = workflow.steps[0];
    const healed = await recordRun(server, member.token, {
      workflowId: workflow.id,
      status: 'HEALED',
      failedStepId: step.id,
      healedSelectors: { css: '[data-testid="submit"]' },
      healingConfidence: 0.92,
      healingMethod: 'deterministic',
    });
    expect(healed.data?.recordWorkflowRun).toMatchObject({
      status: 'HEALED',
      workflow: { status: 'ACTIVE', health: { runs: 1, successRate: 1 } },
    });
    const res = await gql(
      server.url,
      `query($id: ID!) { workflow(id: $id) { health { healed successes } steps { id healedSelectors healCount healingConfidence healingMethod healedAt }
        healthLogs(first: 1) { edges { node { status healedSelectors step { id } } } } } }`,
      { id: workflow.id },
      member.token,
    );
    const data = res.data?.workflow;
    expect(data.health).toEqual({ healed: 1, successes: 0 });
    expect(data.steps[0]).toMatchObject({
      id: step.id,
      healedSelectors: { css: '[data-testid="submit"]' },
      healCount: 1,
      healingConfidence: 0.92,
      healingMethod: 'deterministic',
      healedAt: expect.any(String),
    });
    expect(data.healthLogs.edges[0].node).toEqual({
      status: 'HEALED',
      healedSelectors: { css: '[data-testid="submit"]' },
      step: { id: step.id },
    });
  });

  it('refuses runs that do not fit, leaving nothing behind', async () => {
    const { ws, member } = await workspaceWithMember();
    const workflow = await buildActiveWorkflow(server, member.token);
    const draft = await buildWorkflow(server, member.token, {}, 1);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ status: 'HEALED', failedStepId: workflow.steps[0].id }, 'BAD_USER_INPUT'],
      [{ status: 'SUCCESS', failedStepId: workflow.steps[0].id }, 'BAD_USER_INPUT'],
      [{ status: 'FAILURE', healedSelectors: { css: 'a' } }, 'BAD_USER_INPUT'],
      [{ status: 'FAILURE', failedStepId: draft.steps[0].id }, 'NOT_FOUND'],
      [{ status: 'FAILURE', failedStepId: 'x' }, 'BAD_USER_INPUT'],
      [{ status: 'FAILURE', durationMs: -1 }, 'BAD_USER_INPUT'],
      [{ status: 'BROKEN' }, 'BAD_USER_INPUT'],
      [{ status: 'FAILURE', workflowId: '01890000-0000-7000-8000-000000000000' }, 'NOT_FOUND'],
    ];
    for (const [input, code] of cases) {
      const res = await recordRun(server, member.token, { workflowId: workflow.id, ...input });
      expect({ input, code: errorCode(res) }).toEqual({ input, code });
      expect(res.data ?? null).toBeNull();
    }
    const state = (await gql(server.url, HEALTH, { id: workflow.id }, member.token)).data?.workflow;
    expect(state.health.runs).toBe(0);
    expect(state.healthLogs.totalCount).toBe(0);

    const settingsByMember = await gql(
      server.url,
      'mutation { updateWorkflowHealthSettings(input: { brokenAfterFailures: 1 }) { brokenAfterFailures } }',
      {},
      member.token,
    );
    expect(errorCode(settingsByMember)).toBe('FORBIDDEN');
    const outOfRange = await gql(
      server.url,
      'mutation { updateWorkflowHealthSettings(input: { reviewBelowSuccessRate: 1.5 }) { brokenAfterFailures } }',
      {},
      ws.admin.token,
    );
    expect(errorCode(outOfRange)).toBe('BAD_USER_INPUT');
    const current = await gql(
      server.url,
      '{ workflowHealthSettings { brokenAfterFailures reviewWindowRuns reviewBelowSuccessRate } }',
      {},
      member.token,
    );
    expect(current.data?.workflowHealthSettings).toEqual({
      brokenAfterFailures: 3,
      reviewWindowRuns: 10,
      reviewBelowSuccessRate: 0.7,
    });
  });

  it('pushes each run and status change to subscribers of the workflow', async () => {
    const { ws, member } = await workspaceWithMember();
    const workflow = await buildActiveWorkflow(server, member.token);
    const other = await buildActiveWorkflow(server, member.token);
    const client = wsClient(server.url, ws.admin.token);
    try {
      const events = subscribe(
        client,
        `subscription($id: ID!) { workflowHealthChanged(workflowId: $id) { previousStatus
          workflow { id status health { runs consecutiveFailures } } run { status error } } }`,
        { id: workflow.id },
      );
      await new Promise((r) => setTimeout(r, 200));
      await recordRun(server, member.token, { workflowId: other.id, status: 'FAILURE' });
      await recordRun(server, member.token, { workflowId: workflow.id, status: 'FAILURE', error: 'boom' });
      expect((await events.next()).workflowHealthChanged).toEqual({
        previousStatus: 'ACTIVE',
        workflow: { id: workflow.id, status: 'ACTIVE', health: { runs: 1, consecutiveFailures: 1 } },
        run: { status: 'FAILURE', error: 'boom' },
      });
      await setStatus(server, member.token, workflow.id, 'NEEDS_REVIEW');
      expect((await events.next()).workflowHealthChanged).toMatchObject({
        previousStatus: 'ACTIVE',
        workflow: { status: 'NEEDS_REVIEW' },
        run: null,
      });
      await expect(events.next(300)).rejects.toThrow(/no event/);
    } finally {
      await client.dispose();
    }
  });
});
