import fs from 'node:fs';
import path from 'node:path';
import type { Constructor, Options } from '@mikro-orm/core';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator, type Migration } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import { entities, tenantEntities } from './entities';

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

export interface OrmOptionsInput {
  clientUrl: string;
  poolMax: number;
  /** Called with the `pg` pool once it exists (query counting, pool gauges). */
  onPoolCreated?: (pool: Pool) => void;
  /** Load migrations from the folder by `require` (runtime), rather than by glob (CLI). */
  explicitMigrations?: boolean;
}

export interface TenantFilterArgs {
  workspaceId: string;
}

export const TENANT_FILTER = 'tenant';

/** The MikroORM options shared by the server, the scripts and the CLI. */
export function buildOrmOptions(input: OrmOptionsInput): Partial<Options<PostgreSqlDriver>> {
  return {
    driver: PostgreSqlDriver,
    clientUrl: input.clientUrl,
    entities,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    pool: { min: 0, max: input.poolMax },
    driverOptions: { onPoolCreated: input.onPoolCreated },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: false,
    filters: {
      [TENANT_FILTER]: {
        name: TENANT_FILTER,
        entity: tenantEntities,
        cond: (args: TenantFilterArgs) => ({ workspace: args.workspaceId }),
        default: true,
        strict: true,
      },
    },
    migrations: {
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      emit: 'ts',
      snapshot: true,
      snapshotName: '.snapshot',
      transactional: true,
      allOrNothing: true,
      silent: true,
      ...(input.explicitMigrations ? { migrationsList: loadMigrations() } : {}),
    },
  };
}

type MigrationClass = Constructor<Migration>;

/** Requires every committed migration, in name order (names start with a timestamp). */
function loadMigrations() {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^Migration\d+.*\.ts$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((file) => {
      const name = path.basename(file, '.ts');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(MIGRATIONS_DIR, file)) as Record<string, MigrationClass>;
      const cls = mod[name] ?? Object.values(mod)[0];
      if (!cls) throw new Error(`Migration file ${file} exports no class`);
      return { name, class: cls };
    });
}
