import 'reflect-metadata';
import { buildOrmOptions } from './src/db/orm-options';

/**
 * Configuration for the MikroORM CLI (`npm run migration:create`, `npm run migration:check`).
 * It needs a PostgreSQL server: DATABASE_URL, or the local default below.
 */
export default buildOrmOptions({
  clientUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/homeos_dev',
  poolMax: 1,
});
