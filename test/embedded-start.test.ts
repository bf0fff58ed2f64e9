import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gql } from './support/client';

const root = path.resolve(__dirname, '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Runs the server as `npm start` does, with no DATABASE_URL, and waits for it to answer. */
async function start(dataDir: string, port: number): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.JWT_SECRET;
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { cwd: root, env, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    if (output.includes('Apollo Sandbox')) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start: ${output}`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('the embedded default', () => {
  it('starts on an empty folder, serves HTTP and graphql-ws, and keeps its data across restarts', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'homeos-empty-')), 'data');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    let child = await start(dataDir, port);
    try {
      const signUp = await gql(
        url,
        'mutation { signUp(input: { email: "first@example.test", password: "long password", displayName: "First", workspaceName: "Home" }) { accessToken } }',
      );
      expect(signUp.errors).toBeUndefined();
      const token = signUp.data?.signUp.accessToken as string;
      const client = createClient({
        url: url.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      const viaWs = await new Promise((resolve, reject) => {
        client.subscribe({ query: '{ me { email } }' }, { next: resolve, error: reject, complete: () => undefined });
      });
      expect(viaWs).toEqual({ data: { me: { email: 'first@example.test' } } });
      await client.dispose();
    } finally {
      await stop(child);
    }
    expect(fs.existsSync(path.join(dataDir, 'pg'))).toBe(true);

    child = await start(dataDir, port);
    try {
      const logIn = await gql(
        url,
        'mutation { logIn(input: { email: "first@example.test", password: "long password" }) { user { displayName workspace { name } } } }',
      );
      expect(logIn.data?.logIn).toEqual({ user: { displayName: 'First', workspace: { name: 'Home' } } });
    } finally {
      await stop(child);
    }
  });
});
