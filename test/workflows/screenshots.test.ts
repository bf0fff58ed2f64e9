import fs from 'node:fs';
import path from 'node:path';
import { errorCode, gql } from '../support/client';
import { buildMember, buildWorkspace, type SignedIn, type Workspace } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';
import { buildWorkflow, countRows, png, uploadScreenshot } from '../support/workflows';

let server: TestServer;
let ws: Workspace;
let member: SignedIn;
beforeAll(async () => {
  server = await startTestServer({ SCREENSHOT_MAX_BYTES: '4096' });
  ws = await buildWorkspace(server);
  member = await buildMember(server, ws);
});
afterAll(async () => {
  await server?.close();
});

const SHOT_FIELDS = 'id sha256 fileSize width height format url workflow { id }';

/** Every file under the screenshot folder. */
function storedFiles(): string[] {
  const root = server.app.config.screenshots.dir;
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) =>
    fs.statSync(path.join(root, f)).isFile(),
  );
}

describe('screenshots', () => {
  it('are stored once per workspace however often the same image is uploaded', async () => {
    const workflow = await buildWorkflow(server, member.token, {}, 2);
    const other = await buildWorkflow(server, ws.admin.token, {}, 1);
    const image = png(1, 6, 5);
    const before = storedFiles().length;

    const first = await uploadScreenshot(server, member.token, { workflowId: workflow.id }, image);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      created: true,
      screenshot: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), fileSize: image.length, width: 6, height: 5 },
    });
    expect(first.body.screenshot.format).toBe('png');

    // the same bytes again, for another workflow and attached to one of its steps, by another member
    const again = await uploadScreenshot(
      server,
      ws.admin.token,
      { workflowId: other.id, stepId: other.steps[0].id },
      Buffer.from(image),
      'renamed.png',
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, screenshot: { id: first.body.screenshot.id } });
    expect(storedFiles().length).toBe(before + 1);
    const sameImage = await countRows(
      server,
      'select count(*)::int n from screenshots where sha256 = ? and workspace_id = (select workspace_id from workflows where id = ?)',
      [first.body.screenshot.sha256, workflow.id],
    );
    expect(sameImage).toBe(1);

    const attached = await gql(
      server.url,
      `query($id: ID!) { workflow(id: $id) { steps { screenshot { ${SHOT_FIELDS} } } } }`,
      { id: other.id },
      member.token,
    );
    expect(attached.data?.workflow.steps[0].screenshot).toMatchObject({
      id: first.body.screenshot.id,
      workflow: { id: workflow.id },
    });

    // a different image is a new screenshot, attached through updateStep
    const second = await uploadScreenshot(server, member.token, { workflowId: workflow.id }, png(2));
    expect(second.status).toBe(201);
    const step = await gql(
      server.url,
      'mutation($input: UpdateStepInput!) { updateStep(input: $input) { screenshot { id } } }',
      { input: { id: workflow.steps[1].id, screenshotId: second.body.screenshot.id } },
      member.token,
    );
    expect(step.data?.updateStep.screenshot.id).toBe(second.body.screenshot.id);
    const listed = await gql(
      server.url,
      'query($id: ID!) { workflow(id: $id) { screenshots(first: 10) { totalCount edges { node { id } } } } }',
      { id: workflow.id },
      member.token,
    );
    expect(listed.data?.workflow.screenshots.totalCount).toBe(2);
  });

  it('the same image uploaded many times at once is still stored once', async () => {
    const workflow = await buildWorkflow(server, member.token);
    const image = png(3);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => uploadScreenshot(server, member.token, { workflowId: workflow.id }, image)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.screenshot.id)).size).toBe(1);
  });

  it('refuses what is not an image, too large, or not a proper upload, with a coded error', async () => {
    const workflow = await buildWorkflow(server, member.token);
    const fields = { workflowId: workflow.id };
    const cases: Array<[string, Promise<Awaited<ReturnType<typeof uploadScreenshot>>>, number, string, RegExp]> = [
      [
        'text',
        uploadScreenshot(server, member.token, fields, Buffer.from('just some text')),
        400,
        'BAD_USER_INPUT',
        /not an image/,
      ],
      [
        'svg',
        uploadScreenshot(server, member.token, fields, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')),
        400,
        'BAD_USER_INPUT',
        /not an image/,
      ],
      [
        'a PNG header alone',
        uploadScreenshot(server, member.token, fields, png(4).subarray(0, 12)),
        400,
        'BAD_USER_INPUT',
        /not an image/,
      ],
      ['empty', uploadScreenshot(server, member.token, fields, Buffer.alloc(0)), 400, 'BAD_USER_INPUT', /empty/],
      [
        'too large',
        uploadScreenshot(server, member.token, fields, Buffer.concat([png(5), Buffer.alloc(5000, 1)])),
        413,
        'BAD_USER_INPUT',
        /larger than 4096 bytes/,
      ],
      ['no file', uploadScreenshot(server, member.token, fields, null), 400, 'BAD_USER_INPUT', /multipart/],
      ['no workflow', uploadScreenshot(server, member.token, {}, png(6)), 400, 'BAD_USER_INPUT', /workflowId/],
      [
        'a malformed id',
        uploadScreenshot(server, member.token, { workflowId: '42' }, png(6)),
        400,
        'BAD_USER_INPUT',
        /not a valid id/,
      ],
      [
        'an unknown workflow',
        uploadScreenshot(server, member.token, { workflowId: '01890000-0000-7000-8000-000000000000' }, png(6)),
        404,
        'NOT_FOUND',
        /Workflow/,
      ],
      [
        'a step of another workflow',
        uploadScreenshot(server, member.token, { ...fields, stepId: '01890000-0000-7000-8000-000000000000' }, png(6)),
        404,
        'NOT_FOUND',
        /Step/,
      ],
      ['no token', uploadScreenshot(server, undefined, fields, png(6)), 401, 'UNAUTHENTICATED', /signed in/],
    ];
    for (const [label, pending, status, code, message] of cases) {
      const res = await pending;
      expect({ label, status: res.status, code: res.body.errors?.[0]?.extensions?.code }).toEqual({
        label,
        status,
        code,
      });
      expect(res.body.errors[0].message).toMatch(message);
    }
    const json = await fetch(server.url.replace(/graphql$/, 'screenshots'), {
      method: 'POST',
      headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(400);
    expect(
      await countRows(server, 'select count(*)::int n from screenshots where workflow_id = ?', [workflow.id]),
    ).toBe(0);
  });

  it('are served to members by a short-lived signed address or with their token', async () => {
    const workflow = await buildWorkflow(server, member.token);
    const image = png(7);
    const uploaded = await uploadScreenshot(server, member.token, { workflowId: workflow.id }, image);
    const { id, url } = uploaded.body.screenshot;
    expect(url).toMatch(new RegExp(`/screenshots/${id}\\?expires=\\d+&signature=[\\w-]+$`));

    const signed = await fetch(url);
    expect(signed.status).toBe(200);
    expect(signed.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await signed.arrayBuffer()).equals(image)).toBe(true);

    const tampered = await fetch(url.replace(/signature=[\w-]+/, `signature=${'A'.repeat(43)}`));
    expect(tampered.status).toBe(403);
    expect(((await tampered.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    const expired = await fetch(url.replace(/expires=\d+/, 'expires=1000'));
    expect(expired.status).toBe(403);

    const plain = url.split('?')[0];
    expect((await fetch(plain)).status).toBe(401);
    const withToken = await fetch(plain, { headers: { authorization: `Bearer ${ws.admin.token}` } });
    expect(withToken.status).toBe(200);
    const cached = await fetch(plain, {
      headers: { authorization: `Bearer ${ws.admin.token}`, 'if-none-match': `"${uploaded.body.screenshot.sha256}"` },
    });
    expect(cached.status).toBe(304);

    const fromGraphql = await gql(
      server.url,
      'query($id: ID!) { screenshot(id: $id) { url } }',
      { id },
      ws.admin.token,
    );
    expect((await fetch(fromGraphql.data?.screenshot.url)).status).toBe(200);
    expect(errorCode(await gql(server.url, 'query { screenshot(id: "nope") { id } }', {}, ws.admin.token))).toBe(
      'BAD_USER_INPUT',
    );
  });
});
