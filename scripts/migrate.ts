import 'reflect-metadata';
import { Client } from 'pg';
import { createLogger } from '../src/common/logger';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { openDatabase } from '../src/db/database';
import { buildOrmOptions } from '../src/db/orm-options';

/**
 * `npm run migrate`: applies the pending migrations to the PostgreSQL server at DATABASE_URL.
 * (The embedded database migrates itself at start, so this is for an external one.)
 */
async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  if (!config.databaseUrl) {
    console.error(
      'DATABASE_URL is not set: `npm run migrate` migrates an external PostgreSQL server, e.g.\n' +
        '  DATABASE_URL=postgres://user@127.0.0.1:5432/homeos npm run migrate\n' +
        '(the embedded database in DATA_DIR migrates itself when the server starts)',
    );
    return 1;
  }
  const before = new Set(await executedMigrations(config.databaseUrl));
  const logger = createLogger(config.logLevel);
  const db = await openDatabase({ config, logger, migrate: true });
  try {
    const executed = (await db.orm.migrator.getExecuted()).map((m) => m.name);
    const applied = executed.filter((name) => !before.has(name));
    if (applied.length === 0) {
      console.log(`Database is up to date (${executed.length} migration(s) applied before)`);
    } else {
      console.log(`Applied ${applied.length} migration(s):\n${applied.map((name) => `  - ${name}`).join('\n')}`);
    }
  } finally {
    await db.close();
  }
  return 0;
}

/** Names in the migrations table before migrating (none when the table does not exist yet). */
async function executedMigrations(databaseUrl: string): Promise<string[]> {
  const table = buildOrmOptions({ clientUrl: databaseUrl, poolMax: 1 }).migrations?.tableName ?? 'mikro_orm_migrations';
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query<{ found: string | null }>('select to_regclass($1)::text as found', [table]);
    if (!exists.rows[0]?.found) return [];
    const rows = await client.query<{ name: string }>(`select name from ${client.escapeIdentifier(table)}`);
    return rows.rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
