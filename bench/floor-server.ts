import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

/**
 * The floor of a list scenario: the least any server could do for the same response. A bare
 * `node:http` server that answers every POST with the JSON text built by ONE SQL statement
 * (`FLOOR_SQL`, parameters `FLOOR_PARAMS` as a JSON array) through a `pg` pool of 10.
 * `GET /readyz` answers 200 once the database answers. Run by bench/run.ts as a child process.
 */
const JSON_OID = 114;
const JSONB_OID = 3802;

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`floor-server: ${name} is required`);
    process.exit(1);
  }
  return value;
}

const databaseUrl = requireEnv('DATABASE_URL');
const text = requireEnv('FLOOR_SQL');
const paramsJson: unknown = JSON.parse(process.env.FLOOR_PARAMS ?? '[]');
if (!Array.isArray(paramsJson)) {
  console.error('floor-server: FLOOR_PARAMS must be a JSON array');
  process.exit(1);
}
const values: unknown[] = paramsJson;
const port = Number(process.env.PORT ?? '0');
const host = process.env.HOST ?? '127.0.0.1';

// The JSON column is passed through as text: parsing and re-serialising it would not be a floor.
const pool = new pg.Pool({
  connectionString: databaseUrl,
  max: Number(process.env.DB_POOL_MAX ?? '10'),
  types: {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === JSON_OID || oid === JSONB_OID
        ? (value: string) => value
        : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
  },
});

const query: pg.QueryConfig = { name: 'floor', text, values };

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/readyz') {
    pool.query('select 1').then(
      () => send(res, 200, '{"status":"ok"}'),
      () => send(res, 503, '{"status":"unavailable"}'),
    );
    return;
  }
  if (req.method !== 'POST') {
    send(res, 405, '{"error":"POST only"}');
    return;
  }
  // Read the request body as the API must, then answer from the one statement.
  req.on('data', () => undefined);
  req.on('end', () => {
    pool.query<{ body: string }>(query).then(
      (result) => {
        const row = result.rows[0];
        const body = row ? Object.values(row)[0] : undefined;
        if (typeof body !== 'string') send(res, 500, '{"error":"the floor query returned no JSON"}');
        else send(res, 200, body);
      },
      (error: unknown) =>
        send(res, 500, JSON.stringify({ error: error instanceof Error ? error.message : String(error) })),
    );
  });
});

server.listen(port, host, () => {
  const address = server.address() as AddressInfo;
  console.log(`floor server listening on ${host}:${address.port}`);
});

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  pool.end().finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
