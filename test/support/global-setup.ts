import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { buildOrmOptions } from '../../src/db/orm-options';

/**
 * Prepares the database once for the whole run. With DATABASE_URL: applies the migrations there.
 * Without: migrates an in-memory embedded database and dumps it, so that each test file starts
 * its own embedded database from the dump in a fraction of a second.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    const orm = await MikroORM.init(
      buildOrmOptions({ clientUrl: process.env.DATABASE_URL, poolMax: 1, explicitMigrations: true }),
    );
    await orm.migrator.up();
    await orm.close(true);
    return;
  }
  const pg = await startEmbeddedPostgres({});
  const orm = await MikroORM.init(buildOrmOptions({ clientUrl: pg.url, poolMax: 1, explicitMigrations: true }));
  await orm.migrator.up();
  await orm.close(true);
  const dump = await pg.dump();
  await pg.stop();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'homeos-test-')), 'embedded.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  process.env.HOMEOS_TEST_EMBEDDED_DUMP = file;
}
