import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import { uuidv7 } from 'uuidv7';
import { runLoad, type LoadResult, type LoadTarget } from './load';
import { Child, freePort, peakRssMb, resetPeakRss, waitForReady } from './processes';
import { scenarios, type Scenario, type SeedInfo } from './scenarios';
import { formatTable, type Row } from './table';

/**
 * `npm run bench`: a fresh database, migrated and seeded with one workspace of 50 members; the API
 * in a child process; each scenario of bench/scenarios.ts under autocannon; list scenarios also
 * against their floor. Prints one table. Env: BENCH_SECONDS (10), BENCH_ROUNDS (2),
 * BENCH_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres), BENCH_SERVER_CPUS (a `taskset -c`
 * list for the server children, default unpinned), BENCH_ONLY (comma-separated scenario names),
 * BENCH_API_NODE_ARGS (extra node flags for the API child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`),
 * BENCH_VERBOSE=1 (echo the children's output).
 */

const CONNECTIONS = 16;
const WARMUP_SECONDS = 2;
const MEMBERS = 50;
const BAR = 0.5;
const STARTUP_TIMEOUT_MS = 120_000;
const HTTP_TIMEOUT_MS = 15_000;

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

// ---------------------------------------------------------------------------------------------
// Cleanup: children stopped and the database dropped, on success, failure and ctrl-c alike.

const cleanups: { name: string; run: () => Promise<void> }[] = [];
let cleaning: Promise<void> | undefined;

function onCleanup(name: string, run: () => Promise<void>): void {
  cleanups.push({ name, run });
}

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await withTimeout(step.run(), 30_000, step.name);
      } catch (error) {
        log(`cleanup "${step.name}" failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (cleaning) {
      log(`${signal} again: exiting without finishing cleanup`);
      process.exit(130);
    }
    log(`${signal}: stopping children and dropping the database`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// Database

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(adminUrl: string): Promise<string> {
  const name = `homeos_bench_${Date.now()}`;
  await withAdmin(adminUrl, (c) => c.query(`create database ${c.escapeIdentifier(name)}`));
  onCleanup(`drop database ${name}`, async () => {
    await withAdmin(adminUrl, (c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`));
    log(`dropped database ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  log(`created database ${name}`);
  return url.toString();
}

async function migrate(databaseUrl: string): Promise<void> {
  const child = new Child({
    name: 'migrate',
    args: ['-r', '@swc-node/register', 'scripts/migrate.ts'],
    env: { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
  });
  onCleanup('stop migrate', () => child.stop());
  const code = await withTimeout(child.exited, STARTUP_TIMEOUT_MS, 'npm run migrate');
  if (code !== 0) throw new Error(`scripts/migrate.ts exited with ${code}:\n${child.tail()}`);
  log(child.tail(5).replace(/\n/g, '\n       '));
}

// ---------------------------------------------------------------------------------------------
// GraphQL over HTTP

interface GraphQLResponse {
  data?: unknown;
  errors?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function postJson(url: string, body: string, headers: Record<string, string>): Promise<GraphQLResponse> {
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${url} answered HTTP ${res.status} with non-JSON: ${text.slice(0, 500)}`);
  }
  if (!isObject(parsed)) throw new Error(`${url} answered HTTP ${res.status} with ${text.slice(0, 500)}`);
  return parsed;
}

/** Data of a GraphQL operation; throws on `errors` or missing `data`. */
async function graphql(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown> } = {},
): Promise<Record<string, unknown>> {
  const response = await postJson(url, requestBody(query, options.variables), jsonHeaders(options.token));
  if (response.errors !== undefined || !isObject(response.data)) {
    throw new Error(`GraphQL failed: ${JSON.stringify(response).slice(0, 1000)}\nfor: ${query}`);
  }
  return response.data;
}

function requestBody(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify(variables ? { query, variables } : { query });
}

function jsonHeaders(token?: string): Record<string, string> {
  return { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

function pick(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isObject(current) ? current[key] : undefined;
  return current;
}

function stringAt(value: unknown, ...keys: string[]): string {
  const found = pick(value, ...keys);
  if (typeof found !== 'string') throw new Error(`expected a string at ${keys.join('.')} in ${JSON.stringify(value)}`);
  return found;
}

/** Where two JSON values first differ, for an error message. */
function firstDifference(api: unknown, floor: unknown, at: string): string {
  if (Array.isArray(api) && Array.isArray(floor)) {
    for (let i = 0; i < Math.max(api.length, floor.length); i++) {
      if (!isDeepStrictEqual(api[i], floor[i])) return firstDifference(api[i], floor[i], `${at}[${i}]`);
    }
  } else if (isObject(api) && isObject(floor)) {
    for (const key of new Set([...Object.keys(api), ...Object.keys(floor)])) {
      if (!isDeepStrictEqual(api[key], floor[key])) return firstDifference(api[key], floor[key], `${at}.${key}`);
    }
  }
  return `at ${at} the api has ${JSON.stringify(api)?.slice(0, 300)} and the floor ${JSON.stringify(floor)?.slice(0, 300)}`;
}

// ---------------------------------------------------------------------------------------------
// Seed: the admin signs up through the API; the other 49 members are inserted directly.

interface Seed extends SeedInfo {
  token: string;
}

async function seed(graphqlUrl: string, databaseUrl: string): Promise<Seed> {
  const signUp = await graphql(
    graphqlUrl,
    `
      mutation SignUp($input: SignUpInput!) {
        signUp(input: $input) {
          accessToken
          user {
            id
            workspace {
              id
            }
          }
        }
      }
    `,
    {
      variables: {
        input: {
          email: 'admin@bench.example',
          password: 'bench-password-123',
          displayName: 'Bench Admin',
          workspaceName: 'Bench workspace',
        },
      },
    },
  );
  const token = stringAt(signUp, 'signUp', 'accessToken');
  const adminUserId = stringAt(signUp, 'signUp', 'user', 'id');
  const workspaceId = stringAt(signUp, 'signUp', 'user', 'workspace', 'id');
  // The admin may read the invite token: proves the token and the workspace work before loading.
  const workspace = await graphql(graphqlUrl, 'query Invite { workspace { id inviteToken } }', { token });
  stringAt(workspace, 'workspace', 'inviteToken');

  const others = MEMBERS - 1;
  const ids = Array.from({ length: others }, () => uuidv7());
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(
      `insert into users (id, workspace_id, email, password_hash, display_name, role, created_at, updated_at)
       select ($3::uuid[])[i], $1, 'member' || i || '@bench.example',
              (select password_hash from users where id = $2), 'Member ' || i, 'MEMBER'::user_role,
              t + i * interval '1 millisecond', t + i * interval '1 millisecond'
       from generate_series(1, $4::int) i, (select date_trunc('milliseconds', now()) t) base`,
      [workspaceId, adminUserId, ids, others],
    );
    const count = await client.query<{ n: number }>('select count(*)::int n from users where workspace_id = $1', [
      workspaceId,
    ]);
    const n = count.rows[0]?.n ?? 0;
    if (n !== MEMBERS) throw new Error(`seeded ${n} members, expected ${MEMBERS}`);
  } finally {
    await client.end();
  }
  log(`seeded workspace ${workspaceId} with ${MEMBERS} members`);
  return { token, adminUserId, workspaceId, memberCount: MEMBERS };
}

// ---------------------------------------------------------------------------------------------
// Servers

interface Server {
  child: Child;
  base: string;
}

async function startApi(
  databaseUrl: string,
  cpus: string | undefined,
  echo: boolean,
  nodeArgs: string[],
): Promise<Server> {
  const port = await freePort();
  const child = new Child({
    name: 'api',
    args: [...nodeArgs, '-r', '@swc-node/register', 'src/main.ts'],
    env: {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      JWT_SECRET: 'bench-jwt-secret-0123456789abcdefghijklm',
      LOG_LEVEL: 'warn',
      DB_POOL_MAX: '10',
      // One token serves the whole run, however long BENCH_SECONDS makes it.
      ACCESS_TOKEN_TTL_SECONDS: '86400',
    },
    cpus,
    echo,
  });
  onCleanup('stop api', () => child.stop());
  const base = `http://127.0.0.1:${port}`;
  await waitForReady(`${base}/readyz`, child, STARTUP_TIMEOUT_MS);
  log(`api ready at ${base} (pid ${child.pid})`);
  return { child, base };
}

async function startFloor(
  scenario: Scenario,
  seedInfo: SeedInfo,
  databaseUrl: string,
  cpus: string | undefined,
  echo: boolean,
): Promise<Server> {
  if (!scenario.floorSql) throw new Error(`list scenario "${scenario.name}" has no floorSql`);
  const port = await freePort();
  const child = new Child({
    name: `floor:${scenario.name}`,
    args: ['-r', '@swc-node/register', 'bench/floor-server.ts'],
    env: {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      DB_POOL_MAX: '10',
      FLOOR_SQL: scenario.floorSql.text,
      FLOOR_PARAMS: JSON.stringify(scenario.floorSql.params(seedInfo)),
    },
    cpus,
    echo,
  });
  onCleanup(`stop floor:${scenario.name}`, () => child.stop());
  const base = `http://127.0.0.1:${port}`;
  await waitForReady(`${base}/readyz`, child, STARTUP_TIMEOUT_MS);
  return { child, base };
}

interface ServerCounters {
  /** SQL statements sent (`homeos_db_queries_total`). */
  statements: number;
  /** GraphQL operations executed, over all labels (`homeos_graphql_requests_total`). */
  operations: number;
}

/** Sum of every sample of a counter in Prometheus text format. */
function counterSum(text: string, name: string): number | undefined {
  const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)\\s*$`, 'gm');
  let total: number | undefined;
  for (const match of text.matchAll(pattern)) total = (total ?? 0) + Number(match[1]);
  return total;
}

async function serverCounters(api: Server): Promise<ServerCounters> {
  const res = await fetch(`${api.base}/metrics`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  const text = await res.text();
  const statements = counterSum(text, 'homeos_db_queries_total');
  if (!res.ok || statements === undefined) {
    throw new Error(`no homeos_db_queries_total in GET /metrics (HTTP ${res.status})`);
  }
  return { statements, operations: counterSum(text, 'homeos_graphql_requests_total') ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Options {
  seconds: number;
  rounds: number;
  cpus: string | undefined;
  echo: boolean;
  databaseUrl: string;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

async function runScenario(scenario: Scenario, api: Server, seedInfo: Seed, options: Options): Promise<Row> {
  const graphqlUrl = `${api.base}/graphql`;
  const target: LoadTarget = {
    url: graphqlUrl,
    body: requestBody(scenario.query, scenario.variables),
    headers: jsonHeaders(seedInfo.token),
  };
  const check = await postJson(target.url, target.body, target.headers);
  if (check.errors !== undefined || !isObject(check.data)) {
    throw new Error(`scenario "${scenario.name}" does not answer with data: ${JSON.stringify(check).slice(0, 1000)}`);
  }

  let floor: Server | undefined;
  let floorTarget: LoadTarget | undefined;
  if (scenario.list) {
    floor = await startFloor(scenario, seedInfo, options.databaseUrl, options.cpus, options.echo);
    floorTarget = { ...target, url: `${floor.base}/graphql` };
    const fromFloor = await postJson(floorTarget.url, floorTarget.body, floorTarget.headers);
    if (!isDeepStrictEqual(fromFloor.data, check.data)) {
      throw new Error(
        `the floor of "${scenario.name}" does not return what the API returns: ` +
          `${firstDifference(check.data, fromFloor.data, 'data')}`,
      );
    }
  }

  log(`${scenario.name}: warm-up ${WARMUP_SECONDS} s`);
  await runLoad(target, WARMUP_SECONDS, CONNECTIONS);
  if (floorTarget) await runLoad(floorTarget, WARMUP_SECONDS, CONNECTIONS);

  const peakIsPerScenario = resetPeakRss(api.child.pid);
  const apiRuns: LoadResult[] = [];
  const floorRuns: LoadResult[] = [];
  // Statements per request: divided by the operations the server counted in the same window when
  // it counts them (requests still in flight at the end are then in both), else by autocannon's.
  let statements = 0;
  let operations = 0;
  let served = 0;
  const rounds = floorTarget ? options.rounds : 1;
  for (let round = 1; round <= rounds; round++) {
    if (floorTarget) {
      log(`${scenario.name}: round ${round}/${rounds} floor, ${options.seconds} s`);
      floorRuns.push(await runLoad(floorTarget, options.seconds, CONNECTIONS));
    }
    log(`${scenario.name}: round ${round}/${rounds} api, ${options.seconds} s`);
    const before = await serverCounters(api);
    const run = await runLoad(target, options.seconds, CONNECTIONS);
    // Let the requests still in flight when autocannon stopped finish (the server counts them).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await serverCounters(api);
    statements += after.statements - before.statements;
    operations += after.operations - before.operations;
    served += run.requests;
    apiRuns.push(run);
  }
  const peakRss = peakRssMb(api.child.pid);
  if (floor) await floor.child.stop();

  const requests = operations > 0 ? operations : served;
  const apiReqPerSec = mean(apiRuns.map((r) => r.reqPerSec));
  const floorReqPerSec = floorRuns.length ? mean(floorRuns.map((r) => r.reqPerSec)) : undefined;
  return {
    scenario: scenario.name,
    reqPerSec: apiReqPerSec,
    p50Ms: mean(apiRuns.map((r) => r.p50Ms)),
    p99Ms: mean(apiRuns.map((r) => r.p99Ms)),
    sqlPerRequest: requests > 0 ? statements / requests : Number.NaN,
    peakRssMb: peakRss,
    peakIsPerScenario,
    floorReqPerSec,
    floorRounds: floorRuns.map((r) => r.reqPerSec),
    apiRounds: apiRuns.map((r) => r.reqPerSec),
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options: Options = {
    seconds: intEnv('BENCH_SECONDS', 10, 1, 600),
    rounds: intEnv('BENCH_ROUNDS', 2, 1, 10),
    cpus: process.env.BENCH_SERVER_CPUS || undefined,
    echo: process.env.BENCH_VERBOSE === '1',
    databaseUrl: '',
  };
  const adminUrl = process.env.BENCH_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const names = new Set<string>();
  for (const s of scenarios) {
    if (names.has(s.name)) throw new Error(`two scenarios are named "${s.name}"`);
    names.add(s.name);
    if (s.list && !s.floorSql) throw new Error(`list scenario "${s.name}" needs a floorSql`);
  }

  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = only.filter((n) => !names.has(n));
  if (unknown.length) throw new Error(`BENCH_ONLY names unknown scenario(s): ${unknown.join(', ')}`);
  const selected = scenarios.filter((s) => only.length === 0 || only.includes(s.name));
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

  options.databaseUrl = await createDatabase(adminUrl);
  await migrate(options.databaseUrl);
  const api = await startApi(options.databaseUrl, options.cpus, options.echo, nodeArgs);
  const seeded = await seed(`${api.base}/graphql`, options.databaseUrl);

  const rows: Row[] = [];
  for (const scenario of selected) {
    rows.push(await runScenario(scenario, api, seeded, options));
  }

  const out = formatTable(rows, BAR);
  process.stdout.write(
    `\nHomeOS API benchmark: ${CONNECTIONS} connections, ${options.seconds} s per run after a ${WARMUP_SECONDS} s warm-up, ` +
      `${MEMBERS} members in the workspace\n\n${out}\n`,
  );
  const listRows = rows.filter((r) => r.floorReqPerSec !== undefined);
  const peak = rows.every((r) => r.peakIsPerScenario) ? 'during the scenario' : 'since it started';
  process.stdout.write(
    [
      '',
      'floor: a bare node:http server in its own process (pg pool of 10) answering every POST with the JSON built',
      '       by ONE hand-written SQL statement: about the least any server can spend on the same response.',
      `       List scenarios alternate floor/api, ${options.rounds} round(s) of ${options.seconds} s each; req/s is the mean`,
      `       of the rounds; ratio = api/floor req/s; the bar is ratio >= ${BAR.toFixed(2)}.`,
      'other columns: p50/p99 = mean over the measured api runs; SQL/req = delta of homeos_db_queries_total per',
      `       GraphQL operation (homeos_graphql_requests_total); peak RSS = VmHWM of the api process ${peak}.`,
      '',
    ].join('\n'),
  );
  for (const r of listRows) {
    process.stdout.write(
      `  ${r.scenario}: floor rounds ${r.floorRounds.map((v) => v.toFixed(0)).join(', ')} req/s; ` +
        `api rounds ${r.apiRounds.map((v) => v.toFixed(0)).join(', ')} req/s\n`,
    );
  }
}

main()
  .then(
    () => 0,
    (error: unknown) => {
      const verbose = process.env.BENCH_VERBOSE === '1';
      const text = error instanceof Error ? ((verbose ? error.stack : undefined) ?? error.message) : String(error);
      process.stderr.write(`\nbench failed: ${text}\n`);
      return 1;
    },
  )
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
