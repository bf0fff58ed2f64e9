import { errorCode, gql } from '../support/client';
import { buildMember, buildWorkspace, type SignedIn, type Workspace } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';
import { buildWorkflow, setStatus, STEP_FIELDS, stepInput, WORKFLOW_FIELDS } from '../support/workflows';

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

const WORKFLOW = `query($id: ID!) { workflow(id: $id) { ${WORKFLOW_FIELDS} createdBy { id displayName }
  health { successRate runs consecutiveFailures lastRunAt } steps { ${STEP_FIELDS} } } }`;
const LIST = `query($first: Int!, $after: String, $filter: WorkflowFilter, $orderBy: WorkflowOrder) {
  workflows(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name status tags } } } }`;
const SET_STATUS =
  'mutation($id: ID!, $status: WorkflowStatus!) { setWorkflowStatus(id: $id, status: $status) { status } }';

describe('workflows', () => {
  it('are recorded with their steps, shared with the workspace and changed by any member', async () => {
    const created = await buildWorkflow(
      server,
      member.token,
      { name: '  Book a room ', description: 'Weekly', tags: ['rooms', ' office', 'rooms'] },
      3,
    );
    expect(created).toMatchObject({ name: 'Book a room', description: 'Weekly', tags: ['rooms', 'office'] });
    expect(created.status).toBe('DRAFT');
    expect(created.steps.map((s: any) => s.stepNumber)).toEqual([1, 2, 3]);
    expect(created.steps[1].selectors).toEqual({ css: '#button-2', xpath: '//button[2]' });

    const seen = await gql(server.url, WORKFLOW, { id: created.id }, ws.admin.token);
    expect(seen.data?.workflow).toMatchObject({
      id: created.id,
      createdBy: { id: member.user.id },
      health: { successRate: 0, runs: 0, consecutiveFailures: 0, lastRunAt: null },
    });

    const updated = await gql(
      server.url,
      `mutation($input: UpdateWorkflowInput!) { updateWorkflow(input: $input) { ${WORKFLOW_FIELDS} } }`,
      { input: { id: created.id, name: 'Book a meeting room', description: null, tags: ['office'] } },
      ws.admin.token,
    );
    expect(updated.data?.updateWorkflow).toMatchObject({
      name: 'Book a meeting room',
      description: null,
      tags: ['office'],
    });
  });

  it('are listed with filters on status, tag and text, ordered and paged', async () => {
    const own = await buildWorkspace(server);
    const t = own.admin.token;
    const a = await buildWorkflow(server, t, { name: 'Alpha invoices', tags: ['finance'] });
    const b = await buildWorkflow(server, t, { name: 'Beta onboarding', description: 'new hires', tags: ['hr'] });
    const c = await buildWorkflow(server, t, { name: 'Gamma payroll', tags: ['finance', 'hr'] });
    await setStatus(server, t, c.id, 'ARCHIVED');

    const list = async (variables: Record<string, unknown>) =>
      (await gql(server.url, LIST, { first: 10, ...variables }, t)).data?.workflows;
    const names = async (variables: Record<string, unknown>) =>
      (await list(variables)).edges.map((e: any) => e.node.name);

    expect(await names({})).toEqual(['Gamma payroll', 'Beta onboarding', 'Alpha invoices']);
    expect(await names({ orderBy: { field: 'NAME' } })).toEqual(['Alpha invoices', 'Beta onboarding', 'Gamma payroll']);
    expect(await names({ filter: { tag: 'finance' } })).toEqual(['Gamma payroll', 'Alpha invoices']);
    expect(await names({ filter: { status: 'DRAFT' } })).toEqual(['Beta onboarding', 'Alpha invoices']);
    expect(await names({ filter: { text: 'HIRES' } })).toEqual(['Beta onboarding']);
    expect(await names({ filter: { text: '%' } })).toEqual([]);

    const first = await list({ first: 2, orderBy: { field: 'NAME', direction: 'DESC' } });
    expect(first.totalCount).toBe(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await list({
      first: 2,
      after: first.pageInfo.endCursor,
      orderBy: { field: 'NAME', direction: 'DESC' },
    });
    expect(rest.edges.map((e: any) => e.node.id)).toEqual([a.id]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect(first.edges.map((e: any) => e.node.id)).toEqual([c.id, b.id]);
  });

  it('move along the lifecycle and refuse changes that make no sense', async () => {
    const { id } = await buildWorkflow(server, ws.admin.token, {}, 1);
    const set = (status: string) => gql(server.url, SET_STATUS, { id, status }, member.token);
    for (const status of ['ACTIVE', 'NEEDS_REVIEW', 'BROKEN']) {
      const refused = await set(status);
      expect(errorCode(refused)).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.message).toMatch(/A DRAFT workflow cannot become/);
      expect(refused.data).toBeNull();
    }
    for (const status of ['PROCESSING', 'ACTIVE', 'NEEDS_REVIEW', 'ACTIVE', 'BROKEN', 'ACTIVE', 'ARCHIVED']) {
      expect((await set(status)).data?.setWorkflowStatus.status).toBe(status);
    }
    // the same status again changes nothing
    expect((await set('ARCHIVED')).data?.setWorkflowStatus.status).toBe('ARCHIVED');
    expect(errorCode(await set('ACTIVE'))).toBe('BAD_USER_INPUT');
    // archived workflows are read-only until restored
    const addStep = () =>
      gql(
        server.url,
        'mutation($id: ID!, $input: StepInput!) { addStep(workflowId: $id, input: $input) { stepNumber } }',
        { id, input: stepInput(9) },
        member.token,
      );
    expect(errorCode(await addStep())).toBe('BAD_USER_INPUT');
    expect((await set('DRAFT')).data?.setWorkflowStatus.status).toBe('DRAFT');
    expect((await addStep()).data?.addStep.stepNumber).toBe(2);
  });

  it('are deleted by admins only', async () => {
    const { id } = await buildWorkflow(server, member.token, {}, 2);
    const remove = (token: string) => gql(server.url, 'mutation($id: ID!) { deleteWorkflow(id: $id) }', { id }, token);
    const refused = await remove(member.token);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect((await gql(server.url, WORKFLOW, { id }, member.token)).data?.workflow.id).toBe(id);
    expect((await remove(ws.admin.token)).data?.deleteWorkflow).toBe(true);
    expect(errorCode(await gql(server.url, WORKFLOW, { id }, member.token))).toBe('NOT_FOUND');
    expect(errorCode(await remove(ws.admin.token))).toBe('NOT_FOUND');
  });
});
