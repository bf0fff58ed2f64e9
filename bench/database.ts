import { Client } from 'pg';
import { Child } from './processes';
import { log, onCleanup, withTimeout } from './util';

/** The bench's own database: created fresh, migrated, and dropped by `cleanup`. */

export const STARTUP_TIMEOUT_MS = 120_000;

/** Runs `work` with a connected client, always ending it. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty database next to `adminUrl`'s; returns its URL. Dropped (with force) on cleanup,
 * unless BENCH_KEEP_DB=1 (to look at the data afterwards).
 */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `homeos_bench_${Date.now()}`;
  await withClient(adminUrl, (c) => c.query(`create database ${c.escapeIdentifier(name)}`));
  onCleanup(`drop database ${name}`, async () => {
    if (process.env.BENCH_KEEP_DB === '1') {
      log(`kept database ${name} (BENCH_KEEP_DB=1): drop it with "drop database ${name}"`);
      return;
    }
    await withClient(adminUrl, (c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`));
    log(`dropped database ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  log(`created database ${name}`);
  return url.toString();
}

/** `scripts/migrate.ts` against `databaseUrl`, in a child process. */
export async function migrate(databaseUrl: string): Promise<void> {
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
