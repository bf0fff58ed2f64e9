import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Pool } from 'pg';

/** The Prometheus metrics of one server instance (served at `GET /metrics`). */
export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'homeos_graphql_requests_total',
    help: 'GraphQL operations executed, by operation name and type',
    labelNames: ['operation', 'type'] as const,
    registers: [this.registry],
  });

  readonly duration = new Histogram({
    name: 'homeos_graphql_request_duration_seconds',
    help: 'Duration of GraphQL operations, by operation name',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'homeos_graphql_errors_total',
    help: 'Errors returned to clients, by operation name and code',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });

  readonly subscriptions = new Gauge({
    name: 'homeos_subscriptions_open',
    help: 'Open GraphQL subscriptions',
    registers: [this.registry],
  });

  readonly dbQueries = new Counter({
    name: 'homeos_db_queries_total',
    help: 'SQL statements sent to the database',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'homeos_' });
  }

  /** Counts every statement sent through the pool and exposes its size. */
  instrumentPool = (pool: Pool): void => {
    const queries = this.dbQueries;
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
        queries.inc();
        return query(...args);
      };
    });
    new Gauge({
      name: 'homeos_db_pool_connections',
      help: 'Connections of the database pool, by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  };
}
