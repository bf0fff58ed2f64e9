import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** Connection string for the `pg` driver. */
  url: string;
  /** The whole data folder as a tarball, to start another instance from. */
  dump(): Promise<Blob>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder that keeps the data; `undefined` keeps it in memory (tests). */
  dataDir?: string;
  /** A data folder dump (from `dumpDataDir`) to start from instead of an empty cluster. */
  fromDump?: Blob;
}

/**
 * Starts PGlite (PostgreSQL compiled to WASM, with pgvector) and serves it to the ordinary `pg`
 * driver on a free loopback port. PGlite runs one backend, so callers must use a single pooled
 * connection.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = path.join(options.dataDir, 'pg');
    fs.mkdirSync(dataDir, { recursive: true });
  }
  const db = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(options.fromDump ? { loadDataDir: options.fromDump } : {}),
    extensions: { vector },
  });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    dump: () => db.dumpDataDir('none'),
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
