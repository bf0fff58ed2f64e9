import fs from 'node:fs';
import path from 'node:path';
import { gql } from '../support/client';
import { buildMember, buildWorkspace } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';
import { buildActiveWorkflow, countRows, png, recordRun, uploadScreenshot } from '../support/workflows';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const count = (table: string, column: string, id: string) =>
  countRows(server, `select count(*)::int n from ${table} where ${column} = ?`, [id]);

describe('deleting', () => {
  it('a workflow deletes its steps, runs, screenshots (files too) and the notifications about it', async () => {
    const ws = await buildWorkspace(server);
    const workflow = await buildActiveWorkflow(server, ws.admin.token, {}, 2);
    const other = await buildActiveWorkflow(server, ws.admin.token, {}, 1);
    const own = await uploadScreenshot(
      server,
      ws.admin.token,
      { workflowId: workflow.id, stepId: workflow.steps[0].id },
      png(11),
    );
    // a screenshot of this workflow that a step of another workflow shows too stays, with that workflow
    const shared = await uploadScreenshot(server, ws.admin.token, { workflowId: workflow.id }, png(12));
    await uploadScreenshot(server, ws.admin.token, { workflowId: other.id, stepId: other.steps[0].id }, png(12));
    for (let i = 0; i < 3; i++) await recordRun(server, ws.admin.token, { workflowId: workflow.id, status: 'FAILURE' });
    expect(
      await countRows(server, 'select count(*)::int n from notifications where source_id = ?', [workflow.id]),
    ).toBe(1);
    const dir = server.app.config.screenshots.dir;
    const fileOf = async (id: string) =>
      (
        await server.app.orm.em
          .fork()
          .getConnection()
          .execute<Array<{ k: string }>>('select storage_key k from screenshots where id = ?', [id])
      )[0]?.k;
    const ownFile = path.join(dir, (await fileOf(own.body.screenshot.id))!);
    expect(fs.existsSync(ownFile)).toBe(true);

    const res = await gql(
      server.url,
      'mutation($id: ID!) { deleteWorkflow(id: $id) }',
      { id: workflow.id },
      ws.admin.token,
    );
    expect(res.data?.deleteWorkflow).toBe(true);
    expect(await count('steps', 'workflow_id', workflow.id)).toBe(0);
    expect(await count('health_logs', 'workflow_id', workflow.id)).toBe(0);
    expect(await count('screenshots', 'workflow_id', workflow.id)).toBe(0);
    expect(
      await countRows(server, 'select count(*)::int n from notifications where source_id = ?', [workflow.id]),
    ).toBe(0);
    expect(fs.existsSync(ownFile)).toBe(false);
    const kept = await gql(
      server.url,
      'query($id: ID!) { workflow(id: $id) { steps { screenshot { id workflow { id } } } } }',
      { id: other.id },
      ws.admin.token,
    );
    expect(kept.data?.workflow.steps[0].screenshot).toEqual({
      id: shared.body.screenshot.id,
      workflow: { id: other.id },
    });
    const url = await gql(
      server.url,
      'query($id: ID!) { screenshot(id: $id) { url } }',
      { id: shared.body.screenshot.id },
      ws.admin.token,
    );
    expect((await fetch(url.data?.screenshot.url)).status).toBe(200);
    const audit = await countRows(
      server,
      "select count(*)::int n from audit_logs where action = 'workflow.deleted' and target_id = ?",
      [workflow.id],
    );
    expect(audit).toBe(1);
  });

  it('a step keeps its runs, without the step; a screenshot leaves its steps without one', async () => {
    const ws = await buildWorkspace(server);
    const workflow = await buildActiveWorkflow(server, ws.admin.token, {}, 2);
    const [first, second] = workflow.steps;
    const run = await recordRun(server, ws.admin.token, {
      workflowId: workflow.id,
      status: 'FAILURE',
      failedStepId: first.id,
    });
    const shot = await uploadScreenshot(
      server,
      ws.admin.token,
      { workflowId: workflow.id, stepId: second.id },
      png(13),
    );

    await gql(server.url, 'mutation($id: ID!) { deleteStep(id: $id) }', { id: first.id }, ws.admin.token);
    const log = await gql(
      server.url,
      'query($id: ID!) { workflow(id: $id) { healthLogs(first: 5) { edges { node { id step { id } } } } } }',
      { id: workflow.id },
      ws.admin.token,
    );
    expect(log.data?.workflow.healthLogs.edges).toEqual([{ node: { id: run.data?.recordWorkflowRun.id, step: null } }]);

    const removed = await gql(
      server.url,
      'mutation($id: ID!) { deleteScreenshot(id: $id) }',
      { id: shot.body.screenshot.id },
      ws.admin.token,
    );
    expect(removed.data?.deleteScreenshot).toBe(true);
    const steps = await gql(
      server.url,
      'query($id: ID!) { workflow(id: $id) { steps { id stepNumber screenshot { id } } } }',
      { id: workflow.id },
      ws.admin.token,
    );
    expect(steps.data?.workflow.steps).toEqual([{ id: second.id, stepNumber: 1, screenshot: null }]);
  });

  it('a workspace (at the database) takes its workflows, steps, runs and screenshots with it', async () => {
    const ws = await buildWorkspace(server);
    const workflow = await buildActiveWorkflow(server, ws.admin.token, {}, 2);
    await uploadScreenshot(server, ws.admin.token, { workflowId: workflow.id }, png(14));
    await recordRun(server, ws.admin.token, { workflowId: workflow.id, status: 'SUCCESS' });
    const workspaceId = (await gql(server.url, '{ workspace { id } }', {}, ws.admin.token)).data?.workspace.id;
    await server.app.orm.em.fork().getConnection().execute('delete from workspaces where id = ?', [workspaceId]);
    for (const table of ['workflows', 'steps', 'screenshots', 'health_logs', 'notifications', 'users']) {
      expect({ table, rows: await count(table, 'workspace_id', workspaceId) }).toEqual({ table, rows: 0 });
    }
  });

  it('a member keeps what they recorded, ran and edited in the workspace, without them', async () => {
    const ws = await buildWorkspace(server);
    const member = await buildMember(server, ws);
    const workflow = await buildActiveWorkflow(server, member.token, {}, 1);
    await recordRun(server, member.token, { workflowId: workflow.id, status: 'SUCCESS' });
    await gql(
      server.url,
      'mutation($id: ID!) { updateMemberRole(userId: $id, role: ADMIN) { id } }',
      { id: member.user.id },
      ws.admin.token,
    );
    await gql(
      server.url,
      'mutation($input: UpdateStepInput!) { updateStep(input: $input) { id } }',
      { input: { id: workflow.steps[0].id, label: 'Edited' } },
      member.token,
    );
    await gql(server.url, 'mutation($id: ID!) { removeMember(userId: $id) }', { id: member.user.id }, ws.admin.token);
    const res = await gql(
      server.url,
      `query($id: ID!) { workflow(id: $id) { createdBy { id } steps { label labelEdited editedBy { id } }
        healthLogs(first: 5) { edges { node { status ranBy { id } } } } } }`,
      { id: workflow.id },
      ws.admin.token,
    );
    expect(res.data?.workflow).toEqual({
      createdBy: null,
      steps: [{ label: 'Edited', labelEdited: true, editedBy: null }],
      healthLogs: { edges: [{ node: { status: 'SUCCESS', ranBy: null } }] },
    });
  });
});
