import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { printSchemaSdl } from '../src/schema';

/**
 * Writes `schema.graphql` from the code (`npm run schema:print`), or with `--check` fails when the
 * committed file differs from what the code defines (`npm run schema:check`).
 */
const file = path.resolve(__dirname, '../schema.graphql');
const sdl = printSchemaSdl();
if (process.argv.includes('--check')) {
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (committed !== sdl) {
    console.error('schema.graphql is stale: run `npm run schema:print` and commit the result');
    process.exit(1);
  }
  console.log('schema.graphql is up to date');
} else {
  fs.writeFileSync(file, sdl);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
