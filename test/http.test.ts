import { gql } from './support/client';
import { buildWorkspace } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

describe('HTTP endpoints (development)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'development' });
  });
  afterAll(async () => {
    await server?.close();
  });
  const base = () => server.url.replace(/\/graphql$/, '');

  it('reports liveness and readiness', async () => {
    const health = await fetch(`${base()}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base()}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ok', database: 'up' });
  });

  it('serves Prometheus metrics: operations, durations, errors, subscriptions, DB pool', async () => {
    const ws = await buildWorkspace(server);
    await gql(server.url, 'query Me { me { id } }', {}, ws.admin.token);
    await gql(server.url, 'query Me { me { id } }');
    const res = await fetch(`${base()}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/homeos_graphql_requests_total\{operation="Me",type="query"\} 2/);
    expect(text).toMatch(/homeos_graphql_request_duration_seconds_count\{operation="Me"\} 2/);
    expect(text).toMatch(/homeos_graphql_errors_total\{operation="Me",code="UNAUTHENTICATED"\} 1/);
    expect(text).toMatch(/homeos_subscriptions_open 0/);
    expect(text).toMatch(/homeos_db_pool_connections\{state="total"\} \d/);
    expect(text).toMatch(/homeos_db_queries_total \d+/);
  });

  it('serves Apollo Sandbox to a browser and has no ETag', async () => {
    const res = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/new window.EmbeddedSandbox/);
    const post = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(post.headers.get('etag')).toBeNull();
  });
});

describe('HTTP endpoints (production)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production', ENCRYPTION_KEYS: `1:${'k'.repeat(40)}` });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('shows the production landing page and turns introspection off', async () => {
    const res = await fetch(server.url, { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(html).toMatch(/Welcome to Apollo Server/);
    expect(html).not.toMatch(/new window.EmbeddedSandbox/);
    const introspection = await gql(server.url, '{ __schema { types { name } } }');
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
  });
});
