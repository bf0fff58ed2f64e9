import { sql } from 'kysely';
import type { DB } from '../../src/db/tables';
import { gql } from './client';
import type { TestServer } from './server';

export const HA_TOKEN = 'ha-long-lived-token.eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ';

export const CONNECTION_FIELDS =
  'id name url status homeAssistantVersion supportedFeatures eventTypes retentionDays isActive lastConnectedAt lastError';

/** Creates a connection through the API and returns it. */
export async function buildConnection(
  server: TestServer,
  token: string,
  input: { url: string; accessToken?: string; name?: string; [key: string]: unknown },
): Promise<Record<string, any>> {
  const res = await gql(
    server.url,
    `mutation($input: CreateHaConnectionInput!) { createHaConnection(input: $input) { ${CONNECTION_FIELDS} } }`,
    { input: { name: 'Home', accessToken: HA_TOKEN, ...input } },
    token,
  );
  if (!res.data?.createHaConnection) throw new Error(`createHaConnection failed: ${JSON.stringify(res.errors)}`);
  return res.data.createHaConnection;
}

/** Polls until `check` returns something truthy (or fails after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Rows of a table, by plain SQL (what is really stored). */
export async function rows<T>(server: TestServer, query: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await query.execute(server.app.orm.em.fork().getKysely<DB>())).rows;
}

/**
 * Waits until events sent by the stand-in have arrived and are stored: until nothing new arrived
 * for a while and the ingest has flushed.
 */
export async function settle(server: TestServer, quietMs = 60): Promise<void> {
  const { ingest } = server.app.homeAssistant;
  for (;;) {
    const before = ingest.received;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    await ingest.drain();
    if (ingest.received === before) return;
  }
}

/** A supervision round of `server` that may claim only connections of this connection's workspace. */
export async function tickFor(server: TestServer, connectionId: string): Promise<void> {
  const [row] = await rows<{ workspace_id: string }>(
    server,
    sql`select workspace_id from ha_connections where id = ${connectionId}`,
  );
  await server.app.homeAssistant.supervisor.tick(row!.workspace_id);
}
