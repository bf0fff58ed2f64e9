import { sql } from 'kysely';
import { gql } from './client';
import { rows } from './home-assistant';
import type { TestServer } from './server';

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public now: Date) {}

  readonly fn = () => new Date(this.now.getTime());

  set(iso: string): void {
    this.now = new Date(iso);
  }

  advanceHours(hours: number): void {
    this.now = new Date(this.now.getTime() + hours * 3_600_000);
  }
}

export const PET_FIELDS =
  'id name species traits { color } state { energy hunger level xp levelXp nextLevelXp mood lastEventId lastUpdate }';

export const INTEGRATION_FIELDS =
  'id provider status accountId accountName scopes tokenExpiresAt webhookSecretSet webhookUrl lastSyncedAt lastError';

/** What a browser does between the app, the API and a provider, with its cookie jar. */
export class Browser {
  readonly cookies = new Map<string, string>();

  /** GET without following redirects, keeping cookies; returns status, location and body. */
  async get(url: string): Promise<{ status: number; location: string | null; body: string }> {
    const target = new URL(url);
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(target, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.status, location: response.headers.get('location'), body: await response.text() };
  }

  /** Follows redirects (as a browser) until a page answers; returns the page and the URLs visited. */
  async follow(url: string, limit = 5): Promise<{ status: number; body: string; visited: string[] }> {
    const visited: string[] = [];
    let next = url;
    for (let i = 0; i < limit; i++) {
      visited.push(next);
      const page = await this.get(next);
      if (page.status < 300 || page.status >= 400 || !page.location) return { ...page, visited };
      next = new URL(page.location, next).toString();
    }
    throw new Error(`too many redirects: ${visited.join(' → ')}`);
  }
}

/** `connectIntegration` then the whole browser round trip; returns the integration. */
export async function connect(
  server: TestServer,
  token: string,
  provider: 'GITHUB' | 'FITBIT',
  browser = new Browser(),
): Promise<{ integration: Record<string, any>; page: { status: number; body: string; visited: string[] } }> {
  const res = await gql(
    server.url,
    `mutation($p: QuestProvider!) { connectIntegration(provider: $p) { authorizationUrl expiresAt integration { id } } }`,
    { p: provider },
    token,
  );
  if (!res.data?.connectIntegration) throw new Error(`connectIntegration failed: ${JSON.stringify(res.errors)}`);
  const page = await browser.follow(res.data.connectIntegration.authorizationUrl);
  const id = res.data.connectIntegration.integration.id;
  const after = await gql(
    server.url,
    `query($id: ID!) { integration(id: $id) { ${INTEGRATION_FIELDS} } }`,
    { id },
    token,
  );
  return { integration: after.data?.integration, page };
}

export async function createPet(server: TestServer, token: string, name = 'Mochi'): Promise<Record<string, any>> {
  const res = await gql(
    server.url,
    `mutation($i: CreatePetInput!) { createPet(input: $i) { ${PET_FIELDS} } }`,
    { i: { name, species: 'dragon', traits: { color: 'teal' } } },
    token,
  );
  if (!res.data?.createPet) throw new Error(`createPet failed: ${JSON.stringify(res.errors)}`);
  return res.data.createPet;
}

export async function pet(server: TestServer, token: string, id: string): Promise<Record<string, any>> {
  const res = await gql(server.url, `query($id: ID!) { pet(id: $id) { ${PET_FIELDS} } }`, { id }, token);
  if (!res.data?.pet) throw new Error(`pet failed: ${JSON.stringify(res.errors)}`);
  return res.data.pet;
}

/** A webhook secret for a GitHub integration (shown once). */
export async function webhookSecret(server: TestServer, token: string, integrationId: string) {
  const res = await gql(
    server.url,
    'mutation($id: ID!) { createGithubWebhookSecret(integrationId: $id) { payloadUrl secret contentType events } }',
    { id: integrationId },
    token,
  );
  if (!res.data?.createGithubWebhookSecret) throw new Error(`webhook secret failed: ${JSON.stringify(res.errors)}`);
  return res.data.createGithubWebhookSecret as { payloadUrl: string; secret: string; events: string[] };
}

/** The workspace of an integration, to scope a sync tick to this test's own data. */
export async function workspaceOf(server: TestServer, integrationId: string): Promise<string> {
  const [row] = await rows<{ workspace_id: string }>(
    server,
    sql`select workspace_id from integrations where id = ${integrationId}`,
  );
  return row!.workspace_id;
}
