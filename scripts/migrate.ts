import 'reflect-metadata';
import { createLogger } from '../src/common/logger';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { openDatabase } from '../src/db/database';

/**
 * `npm run migrate`: applies the pending migrations to the PostgreSQL server at DATABASE_URL.
 * (The embedded database migrates itself at start, so this needs an external one.)
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
      'DATABASE_URL is not set: `npm run migrate` migrates an external PostgreSQL server ' +
        '(e.g. DATABASE_URL=postgres://user@host:5432/db npm run migrate). The embedded database migrates itself at start.',
    );
    return 1;
  }
  const logger = createLogger(config.logLevel);
  // `openDatabase` logs what it applied; count the migrations before and after to say it here too.
  const db = await openDatabase({ config, logger, migrate: true });
  try {
    const executed = await db.orm.migrator.getExecuted();
    const names = executed.map((m) => m.name);
    const pending = await db.orm.migrator.getPending();
    if (pending.length > 0) {
      throw new Error(`still pending after migrating: ${pending.map((m) => m.name).join(', ')}`);
    }
    console.log(`Database migrated: ${names.length} migration(s) applied in total (latest: ${names.at(-1) ?? 'none'})`);
  } finally {
    await db.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
