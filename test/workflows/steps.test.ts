import { errorCode, gql } from '../support/client';
import { buildMember, buildWorkspace, type SignedIn, type Workspace } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';
import { buildWorkflow, STEP_FIELDS, stepInput } from '../support/workflows';

let server: TestServer;
let ws: Workspace;
let member: SignedIn;
beforeAll(async () => {
  server = await startTestServer();
  ws = await buildWorkspace(server);
  member = await buildMember(server, ws);
});
afterAll(async () => {
  await server?.close();
});

const ADD = `mutation($workflowId: ID!, $input: StepInput!, $position: Int) {
  addStep(workflowId: $workflowId, input: $input, position: $position) { ${STEP_FIELDS} } }`;
const MOVE = 'mutation($id: ID!, $position: Int!) { moveStep(id: $id, position: $position) { id stepNumber } }';
const DELETE = 'mutation($id: ID!) { deleteStep(id: $id) }';
const UPDATE = `mutation($input: UpdateStepInput!) { updateStep(input: $input) { ${STEP_FIELDS} editedAt editedBy { id } } }`;
const STEPS = 'query($id: ID!) { workflow(id: $id) { steps { id stepNumber selectors } } }';

async function steps(id: string): Promise<Array<{ id: string; stepNumber: number; selectors: any }>> {
  return (await gql(server.url, STEPS, { id }, member.token)).data?.workflow.steps;
}

/** The step ids in order, and that their numbers are exactly 1..n. */
async function order(id: string): Promise<string[]> {
  const list = await steps(id);
  expect(list.map((s) => s.stepNumber)).toEqual(list.map((_, i) => i + 1));
  return list.map((s) => s.id);
}

describe('steps', () => {
  it('are added, moved and deleted keeping their numbers 1..n', async () => {
    const workflow = await buildWorkflow(server, member.token, {}, 3);
    const [s1, s2, s3] = workflow.steps.map((s: any) => s.id);
    const added = await gql(
      server.url,
      ADD,
      { workflowId: workflow.id, input: stepInput(4), position: 2 },
      member.token,
    );
    expect(added.data?.addStep.stepNumber).toBe(2);
    const s4 = added.data?.addStep.id;
    expect(await order(workflow.id)).toEqual([s1, s4, s2, s3]);
    const last = await gql(server.url, ADD, { workflowId: workflow.id, input: stepInput(5) }, member.token);
    expect(last.data?.addStep.stepNumber).toBe(5);
    const s5 = last.data?.addStep.id;

    expect((await gql(server.url, MOVE, { id: s1, position: 5 }, member.token)).data?.moveStep.stepNumber).toBe(5);
    expect(await order(workflow.id)).toEqual([s4, s2, s3, s5, s1]);
    await gql(server.url, MOVE, { id: s3, position: 1 }, member.token);
    expect(await order(workflow.id)).toEqual([s3, s4, s2, s5, s1]);

    expect((await gql(server.url, DELETE, { id: s2 }, member.token)).data?.deleteStep).toBe(true);
    expect(await order(workflow.id)).toEqual([s3, s4, s5, s1]);

    for (const [position, query, vars] of [
      [0, MOVE, { id: s1 }],
      [5, MOVE, { id: s1 }],
      [6, ADD, { workflowId: workflow.id, input: stepInput(6) }],
      [-1, ADD, { workflowId: workflow.id, input: stepInput(6) }],
    ] as const) {
      const res = await gql(server.url, query, { ...vars, position }, member.token);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(/position must be between 1 and/);
    }
    expect(await order(workflow.id)).toEqual([s3, s4, s5, s1]);
    expect(errorCode(await gql(server.url, DELETE, { id: s2 }, member.token))).toBe('NOT_FOUND');
  });

  it('stay numbered 1..n with no duplicate or missing number when many people reorder at once', async () => {
    const workflow = await buildWorkflow(server, member.token, {}, 8);
    const ids: string[] = workflow.steps.map((s: any) => s.id);
    const people = [ws.admin.token, member.token];
    // 24 concurrent moves, adds and deletes on the same workflow
    const operations = Array.from({ length: 24 }, (_, i) => {
      const token = people[i % 2]!;
      if (i % 6 === 5) return gql(server.url, DELETE, { id: ids[i % ids.length] }, token);
      if (i % 4 === 3)
        return gql(server.url, ADD, { workflowId: workflow.id, input: stepInput(100 + i), position: 1 }, token);
      return gql(server.url, MOVE, { id: ids[i % ids.length], position: 1 + ((i * 5) % 6) }, token);
    });
    const results = await Promise.all(operations);
    for (const res of results) {
      // a step deleted by someone else just before is NOT_FOUND; nothing else may fail
      if (res.errors) expect(errorCode(res)).toBe('NOT_FOUND');
    }
    const deleted = results.filter((r, i) => i % 6 === 5 && r.data?.deleteStep).length;
    const added = results.filter((r) => r.data?.addStep).length;
    const final = await order(workflow.id);
    expect(new Set(final).size).toBe(final.length);
    expect(final).toHaveLength(8 + added - deleted);
  });

  it("keep their recorded data; only admins edit the AI's label and instruction", async () => {
    const workflow = await buildWorkflow(server, member.token, {
      steps: [stepInput(1, { ai: { label: 'Email', instruction: 'Type your email', confidence: 0.9, model: 'm1' } })],
    });
    const [step] = workflow.steps;
    expect(step).toMatchObject({ label: 'Email', instruction: 'Type your email', labelEdited: false });

    const changed = await gql(
      server.url,
      UPDATE,
      { input: { id: step.id, action: 'INPUT_COMMIT', selectors: { css: '#email' }, actionData: { value: 'x' } } },
      member.token,
    );
    expect(changed.data?.updateStep).toMatchObject({ action: 'INPUT_COMMIT', selectors: { css: '#email' } });

    const refused = await gql(server.url, UPDATE, { input: { id: step.id, label: 'Work email' } }, member.token);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const edited = await gql(
      server.url,
      UPDATE,
      { input: { id: step.id, label: 'Work email', instruction: 'Type your work email' } },
      ws.admin.token,
    );
    expect(edited.data?.updateStep).toMatchObject({
      label: 'Work email',
      instruction: 'Type your work email',
      labelEdited: true,
      instructionEdited: true,
      editedBy: { id: ws.admin.user.id },
      editedAt: expect.any(String),
    });
    const nullSelectors = await gql(server.url, UPDATE, { input: { id: step.id, selectors: null } }, member.token);
    expect(errorCode(nullSelectors)).toBe('BAD_USER_INPUT');
    expect((await steps(workflow.id))[0]?.selectors).toEqual({ css: '#email' });
  });
});
