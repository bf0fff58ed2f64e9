// Starts `npm start` on an empty data folder (embedded database), then checks that it answers a
// GraphQL query over HTTP and completes a graphql-ws handshake on the same port and path.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');

const port = 4100 + Math.floor(Math.random() * 500);
const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'homeos-smoke-')), 'data');
const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' };
delete env.DATABASE_URL;
delete env.REDIS_URL;
delete env.NODE_OPTIONS;

const child = spawn('npm', ['start'], { env, cwd: path.resolve(__dirname, '..'), detached: true });
let output = '';
child.stdout.on('data', (d) => (output += d));
child.stderr.on('data', (d) => (output += d));

function fail(message) {
  console.error(`smoke: ${message}\n--- server output ---\n${output}`);
  stop(1);
}

function stop(code) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  setTimeout(() => process.exit(code), 500);
}

async function waitForReady() {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return fail(`npm start exited with ${child.exitCode}`);
    if (output.includes('Apollo Sandbox')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  fail('npm start did not become ready within 90 s');
}

function wsHandshake(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const timer = setTimeout(() => reject(new Error('no connection_ack within 10 s')), 10_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'connection_ack') {
        clearTimeout(timer);
        socket.close();
        resolve();
      }
    });
    socket.on('error', reject);
  });
}

(async () => {
  await waitForReady();
  const url = `http://127.0.0.1:${port}/graphql`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = await res.json();
  if (body?.data?.__typename !== 'Query') return fail(`unexpected HTTP answer ${JSON.stringify(body)}`);
  await wsHandshake(url.replace('http', 'ws'));
  console.log(`smoke: npm start on an empty folder answered over HTTP and graphql-ws (${url})`);
  stop(0);
})().catch((error) => fail(error.message));
