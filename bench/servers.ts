import { STARTUP_TIMEOUT_MS } from './database';
import { getText } from './graphql';
import { Child, freePort, waitForReady } from './processes';
import type { Scenario, SeedInfo } from './scenarios';
import { log, onCleanup } from './util';

/** The server children of the bench: API instances and floor servers. */

export interface Server {
  child: Child;
  base: string;
}

export interface ServerOptions {
  databaseUrl: string;
  /** A `taskset -c` CPU list, or undefined for unpinned. */
  cpus: string | undefined;
  /** Echo the child's output to stderr. */
  echo: boolean;
}

export interface ApiOptions extends ServerOptions {
  /** Extra node flags (BENCH_API_NODE_ARGS), e.g. `--cpu-prof`. */
  nodeArgs: string[];
  /** Name in logs and errors (default `api`). */
  name?: string;
  /** Extra environment, e.g. the trigger engine's settings. */
  env?: Record<string, string>;
}

/** `src/main.ts` in production mode on a free port, once `/readyz` answers. */
export async function startApi(options: ApiOptions): Promise<Server> {
  const port = await freePort();
  const name = options.name ?? 'api';
  const child = new Child({
    name,
    args: [...options.nodeArgs, '-r', '@swc-node/register', 'src/main.ts'],
    env: {
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      JWT_SECRET: 'bench-jwt-secret-0123456789abcdefghijklm',
      LOG_LEVEL: 'warn',
      DB_POOL_MAX: '10',
      // One token serves the whole run, however long BENCH_SECONDS makes it.
      ACCESS_TOKEN_TTL_SECONDS: '86400',
      // Required in production (seals Home Assistant tokens); a fixed key, as the database is thrown away.
      ENCRYPTION_KEYS: '1:bench-encryption-key-0123456789abcdefghij',
      ...options.env,
    },
    cpus: options.cpus,
    echo: options.echo,
  });
  onCleanup(`stop ${name}`, () => child.stop());
  const base = `http://127.0.0.1:${port}`;
  await waitForReady(`${base}/readyz`, child, STARTUP_TIMEOUT_MS);
  log(`${name} ready at ${base} (pid ${child.pid})`);
  return { child, base };
}

/** The floor of a list scenario: `bench/floor-server.ts` answering with the scenario's one statement. */
export async function startFloor(scenario: Scenario, seedInfo: SeedInfo, options: ServerOptions): Promise<Server> {
  if (!scenario.floorSql) throw new Error(`list scenario "${scenario.name}" has no floorSql`);
  const port = await freePort();
  const child = new Child({
    name: `floor:${scenario.name}`,
    args: ['-r', '@swc-node/register', 'bench/floor-server.ts'],
    env: {
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      DB_POOL_MAX: '10',
      FLOOR_SQL: scenario.floorSql.text,
      FLOOR_PARAMS: JSON.stringify(scenario.floorSql.params(seedInfo)),
    },
    cpus: options.cpus,
    echo: options.echo,
  });
  onCleanup(`stop floor:${scenario.name}`, () => child.stop());
  const base = `http://127.0.0.1:${port}`;
  await waitForReady(`${base}/readyz`, child, STARTUP_TIMEOUT_MS);
  return { child, base };
}

export interface ServerCounters {
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

export async function serverCounters(api: Server): Promise<ServerCounters> {
  const res = await getText(`${api.base}/metrics`);
  const statements = counterSum(res.text, 'homeos_db_queries_total');
  if (!res.ok || statements === undefined) {
    throw new Error(`no homeos_db_queries_total in GET /metrics (HTTP ${res.status})`);
  }
  return { statements, operations: counterSum(res.text, 'homeos_graphql_requests_total') ?? 0 };
}

/** The sum of the samples of one metric (counter or gauge) in GET /metrics, or undefined if absent. */
export async function serverMetric(api: Server, name: string): Promise<number | undefined> {
  const res = await getText(`${api.base}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics answered HTTP ${res.status}`);
  return counterSum(res.text, name);
}
