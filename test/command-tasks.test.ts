import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorCode, gql } from './support/client';
import { buildMember, buildWorkspace, type SignedIn, type Workspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';
import { buildTask, readTask } from './support/tasks';

const node = process.execPath;
const workspaceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeos-ai-workspace-'));
const now = new Date('2026-08-01T00:00:00Z');
let server: TestServer;
let ws: Workspace;
let wsId: string;

beforeAll(async () => {
  server = await startTestServer(
    { ALLOW_COMMAND_TASKS: 'true', AI_WORKSPACE: workspaceDir, TASK_OUTPUT_MAX_BYTES: '2048' },
    { clock: () => now },
  );
  ws = await buildWorkspace(server);
  wsId = (await gql(server.url, '{ workspace { id } }', {}, ws.admin.token)).data?.workspace.id;
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(workspaceDir, { recursive: true, force: true });
});

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }`;
const command = (args: string[], extra: Record<string, unknown> = {}) => ({
  name: 'Command',
  cron: '0 4 * * *',
  notifyOn: 'NEVER',
  action: { type: 'COMMAND', command: node, args },
  ...extra,
});

/** Runs the task now and returns its execution once finished. */
async function runNow(user: SignedIn, taskId: string) {
  await gql(server.url, `mutation($id: ID!) { runTaskNow(id: $id) { id } }`, { id: taskId }, user.token);
  await server.app.tasks.tick({ now, workspaceId: wsId });
  await server.app.tasks.idle();
  return (await readTask(server, user.token, taskId)).runs[0];
}

describe('COMMAND tasks', () => {
  it('are refused when the server does not allow them', async () => {
    const plain = await startTestServer();
    try {
      const other = await buildWorkspace(plain);
      const res = await gql(plain.url, CREATE, { input: command(['-e', '1']) }, other.admin.token);
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(res.errors?.[0]?.message).toMatch(/ALLOW_COMMAND_TASKS/);
    } finally {
      await plain.close();
    }
  });

  it('are refused to members', async () => {
    const member = await buildMember(server, ws);
    const res = await gql(server.url, CREATE, { input: command(['-e', '1']) }, member.token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors?.[0]?.message).toBe('only workspace admins can have COMMAND tasks');
  });

  it('run the program with its arguments verbatim, without a shell, in AI_WORKSPACE, without the server’s secrets', async () => {
    const script =
      'console.log(process.cwd()); console.log(process.argv.slice(1).join("|")); ' +
      'console.log(process.env.JWT_SECRET ?? "no secret"); console.log(process.env.HOMEOS_TASK_ID)';
    const task = await buildTask(server, ws.admin.token, command(['-e', script, 'a; rm -rf /', '$(whoami)', '`id`']));
    expect(task.action).toMatchObject({
      type: 'COMMAND',
      command: node,
      args: ['-e', script, 'a; rm -rf /', '$(whoami)', '`id`'],
    });
    const run = await runNow(ws.admin, task.id);
    expect(run).toMatchObject({ status: 'SUCCESS', error: null });
    expect(run.output.trim().split('\n')).toEqual([
      fs.realpathSync(workspaceDir),
      'a; rm -rf /|$(whoami)|`id`',
      'no secret',
      task.id,
    ]);
  });

  it('fail on a non-zero exit, keeping what the program wrote', async () => {
    const task = await buildTask(
      server,
      ws.admin.token,
      command(['-e', 'console.error("disk full"); process.exit(3)']),
    );
    const run = await runNow(ws.admin, task.id);
    expect(run).toMatchObject({ status: 'FAILED', error: 'exited with code 3', output: 'disk full\n' });
    const missing = await buildTask(server, ws.admin.token, {
      ...command([]),
      action: { type: 'COMMAND', command: 'no-such-program-homeos', args: [] },
    });
    expect(await runNow(ws.admin, missing.id)).toMatchObject({
      status: 'FAILED',
      error: 'command not found: no-such-program-homeos',
    });
  });

  it('keep at most TASK_OUTPUT_MAX_BYTES of output', async () => {
    const task = await buildTask(server, ws.admin.token, command(['-e', 'process.stdout.write("x".repeat(100000))']));
    const run = await runNow(ws.admin, task.id);
    expect(run.status).toBe('SUCCESS');
    expect(run.output).toBe(`${'x'.repeat(2048)}\n… [97952 more bytes not kept]`);
  });

  it('are stopped at their timeout', async () => {
    const task = await buildTask(
      server,
      ws.admin.token,
      command(['-e', 'setTimeout(() => console.log("too late"), 30000)'], { timeoutSeconds: 1 }),
    );
    const started = Date.now();
    const run = await runNow(ws.admin, task.id);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(run).toMatchObject({ status: 'TIMED_OUT', error: 'timed out after 1 s' });
  });

  it('take one program: arguments go in args, never in a command line', async () => {
    const res = await gql(
      server.url,
      CREATE,
      { input: { ...command([]), action: { type: 'COMMAND', command: 'ls -la /' } } },
      ws.admin.token,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  it('stop running for an owner who is no longer an admin', async () => {
    const second = await buildMember(server, ws);
    const promote = `mutation($id: ID!, $role: Role!) { updateMemberRole(userId: $id, role: $role) { role } }`;
    await gql(server.url, promote, { id: second.user.id, role: 'ADMIN' }, ws.admin.token);
    const task = await buildTask(server, second.token, command(['-e', 'console.log("hi")']));
    await gql(server.url, promote, { id: second.user.id, role: 'MEMBER' }, ws.admin.token);
    expect(await runNow(second, task.id)).toMatchObject({
      status: 'FAILED',
      error: 'only workspace admins can have COMMAND tasks',
    });
  });
});
