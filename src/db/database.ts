import type { MikroORM } from '@mikro-orm/postgresql';
import { MikroORM as PgMikroORM } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';
import { buildOrmOptions } from './orm-options';

export interface Database {
  orm: MikroORM;
  embedded: boolean;
  /** The `pg` pool under the ORM (for readiness checks and gauges). */
  pool(): Promise<Pool>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbPoolMax'>;
  logger: Logger;
  onPoolCreated?: (pool: Pool) => void;
  /** Start the embedded database from this dump instead of the data folder (tests). */
  embeddedDump?: Blob;
  /** Apply pending migrations even on an external database (tests, `npm run migrate`). */
  migrate?: boolean;
}

/**
 * Opens the database: PostgreSQL at `DATABASE_URL`, or the embedded one in `DATA_DIR`.
 * The embedded database is migrated at start; an external one must be migrated with
 * `npm run migrate`, and the server refuses to start while migrations are pending.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { config, logger } = options;
  let embedded: EmbeddedPostgres | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres(
      options.embeddedDump ? { fromDump: options.embeddedDump } : { dataDir: config.dataDir },
    );
    logger.info({ dataDir: options.embeddedDump ? ':memory:' : config.dataDir }, 'embedded PostgreSQL started');
  }
  const orm = await PgMikroORM.init(
    buildOrmOptions({
      clientUrl: embedded?.url ?? (config.databaseUrl as string),
      // PGlite runs one backend: a second pooled connection would interleave with a transaction.
      poolMax: embedded ? 1 : config.dbPoolMax,
      onPoolCreated: options.onPoolCreated,
      explicitMigrations: true,
    }),
  );
  try {
    const migrator = orm.migrator;
    if (embedded || options.migrate) {
      const applied = await migrator.up();
      if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
    } else {
      const pending = await migrator.getPending();
      if (pending.length > 0) {
        throw new Error(
          `${pending.length} database migration(s) pending (${pending.map((m) => m.name).join(', ')}): run \`npm run migrate\` first`,
        );
      }
    }
  } catch (error) {
    await orm.close(true);
    await embedded?.stop();
    throw error;
  }
  return {
    orm,
    embedded: Boolean(embedded),
    pool: async () => (await orm.em.getConnection().getNativeClient()) as Pool,
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}
