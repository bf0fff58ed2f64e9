import { errorCode, gql, subscribe, wsClient } from '../support/client';
import { buildWorkspace } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';
import { buildActiveWorkflow, png, recordRun, stepInput, uploadScreenshot } from '../support/workflows';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const A_STATE = `query($id: ID!, $shot: ID!) {
  workflow(id: $id) { id name description tags status updatedAt health { runs successRate consecutiveFailures }
    steps { id stepNumber action selectors label instruction screenshot { id sha256 } }
    healthLogs(first: 20) { totalCount edges { node { id status } } }
    screenshots(first: 20) { totalCount edges { node { id } } } }
  screenshot(id: $shot) { id sha256 workflow { id } }
  workflows(first: 50) { totalCount edges { node { id } } }
  workflowHealthSettings { brokenAfterFailures reviewWindowRuns reviewBelowSuccessRate }
  notifications(first: 50) { totalCount } }`;

describe('a member of workspace B acting on workspace A', () => {
  it('cannot read, upload or change anything of A', async () => {
    const a = await buildWorkspace(server);
    const b = await buildWorkspace(server);
    const aFlow = await buildActiveWorkflow(server, a.admin.token, { name: 'A secret', tags: ['a'] }, 3);
    const aStep = aFlow.steps[0].id;
    const aShot = (await uploadScreenshot(server, a.admin.token, { workflowId: aFlow.id, stepId: aStep }, png(21))).body
      .screenshot;
    await recordRun(server, a.admin.token, { workflowId: aFlow.id, status: 'FAILURE', failedStepId: aStep });
    const bFlow = await buildActiveWorkflow(server, b.admin.token, {}, 1);
    const before = await gql(server.url, A_STATE, { id: aFlow.id, shot: aShot.id }, a.admin.token);
    expect(before.errors).toBeUndefined();

    const t = b.admin.token; // the most powerful role of B
    const attempts: Array<[string, string, Record<string, unknown>]> = [
      ['workflow', 'query($id: ID!) { workflow(id: $id) { id } }', { id: aFlow.id }],
      ['screenshot', 'query($id: ID!) { screenshot(id: $id) { id } }', { id: aShot.id }],
      [
        'updateWorkflow',
        'mutation($id: ID!) { updateWorkflow(input: { id: $id, name: "mine" }) { id } }',
        { id: aFlow.id },
      ],
      [
        'setWorkflowStatus',
        'mutation($id: ID!) { setWorkflowStatus(id: $id, status: ARCHIVED) { id } }',
        { id: aFlow.id },
      ],
      ['deleteWorkflow', 'mutation($id: ID!) { deleteWorkflow(id: $id) }', { id: aFlow.id }],
      [
        'addStep',
        'mutation($id: ID!, $input: StepInput!) { addStep(workflowId: $id, input: $input) { id } }',
        { id: aFlow.id, input: stepInput(1) },
      ],
      ['updateStep', 'mutation($id: ID!) { updateStep(input: { id: $id, label: "x" }) { id } }', { id: aStep }],
      ['moveStep', 'mutation($id: ID!) { moveStep(id: $id, position: 2) { id } }', { id: aStep }],
      ['deleteStep', 'mutation($id: ID!) { deleteStep(id: $id) }', { id: aStep }],
      ['deleteScreenshot', 'mutation($id: ID!) { deleteScreenshot(id: $id) }', { id: aShot.id }],
      [
        'recordWorkflowRun',
        'mutation($id: ID!) { recordWorkflowRun(input: { workflowId: $id, status: FAILURE }) { id } }',
        { id: aFlow.id },
      ],
      // B's own objects pointing at A's
      [
        'recordWorkflowRun with A step',
        'mutation($id: ID!, $step: ID!) { recordWorkflowRun(input: { workflowId: $id, status: FAILURE, failedStepId: $step }) { id } }',
        { id: bFlow.id, step: aStep },
      ],
      [
        'updateStep attaching A screenshot',
        'mutation($id: ID!, $shot: ID!) { updateStep(input: { id: $id, screenshotId: $shot }) { id } }',
        { id: bFlow.steps[0].id, shot: aShot.id },
      ],
      [
        'createWorkflow with A screenshot',
        'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
        { input: { name: 'steal', steps: [stepInput(1, { screenshotId: aShot.id })] } },
      ],
    ];
    for (const [label, query, variables] of attempts) {
      const res = await gql(server.url, query, variables, t);
      expect({ label, code: errorCode(res), data: res.data ?? null }).toEqual({ label, code: 'NOT_FOUND', data: null });
    }
    // nothing of A is listed for B
    const bState = await gql(
      server.url,
      '{ workflows(first: 50) { totalCount edges { node { id steps { id } } } } notifications(first: 50) { edges { node { sourceId } } } }',
      {},
      t,
    );
    expect(bState.data?.workflows.totalCount).toBe(1);
    expect(JSON.stringify(bState.data)).not.toContain(aFlow.id);
    // B's own settings do not reach A
    await gql(
      server.url,
      'mutation { updateWorkflowHealthSettings(input: { brokenAfterFailures: 1 }) { brokenAfterFailures } }',
      {},
      t,
    );

    // uploads and downloads
    const toA = await uploadScreenshot(server, t, { workflowId: aFlow.id }, png(22));
    expect([toA.status, toA.body.errors[0].extensions.code]).toEqual([404, 'NOT_FOUND']);
    const toAStep = await uploadScreenshot(server, t, { workflowId: bFlow.id, stepId: aStep }, png(23));
    expect([toAStep.status, toAStep.body.errors[0].extensions.code]).toEqual([404, 'NOT_FOUND']);
    const sameBytes = await uploadScreenshot(server, t, { workflowId: bFlow.id }, png(21));
    expect(sameBytes.status).toBe(201); // B's own copy: de-duplication stays within a workspace
    expect(sameBytes.body.screenshot.id).not.toBe(aShot.id);
    const download = await fetch(aShot.url.split('?')[0], { headers: { authorization: `Bearer ${t}` } });
    expect(download.status).toBe(404);

    // subscriptions
    const client = wsClient(server.url, t);
    try {
      const events = subscribe(
        client,
        'subscription($id: ID!) { workflowHealthChanged(workflowId: $id) { previousStatus } }',
        {
          id: aFlow.id,
        },
      );
      await expect(events.next()).rejects.toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) }),
      ]);
    } finally {
      await client.dispose();
    }

    // A is exactly as it was
    expect(await gql(server.url, A_STATE, { id: aFlow.id, shot: aShot.id }, a.admin.token)).toEqual(before);
  });

  it('signed out, nothing is readable or writable', async () => {
    const a = await buildWorkspace(server);
    const flow = await buildActiveWorkflow(server, a.admin.token, {}, 1);
    for (const query of [
      '{ workflows(first: 5) { totalCount } }',
      `{ workflow(id: "${flow.id}") { id } }`,
      '{ workflowHealthSettings { brokenAfterFailures } }',
      `mutation { createWorkflow(input: { name: "x" }) { id } }`,
      `mutation { recordWorkflowRun(input: { workflowId: "${flow.id}", status: SUCCESS }) { id } }`,
      `mutation { deleteWorkflow(id: "${flow.id}") }`,
    ]) {
      expect({ query, code: errorCode(await gql(server.url, query)) }).toEqual({ query, code: 'UNAUTHENTICATED' });
    }
  });
});
