import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DB } from '../../db/tables';
import type { ConnectionHealth } from './ha-connection.entity';
import type { LeasedConnection, SessionSample } from './ha-session';
import { HaMetricBucket, HaMetricType } from './ha.enums';
import { InvalidHaInputError } from './ha.errors';
import type { HaMetricPointNode } from './ha.types';

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
const MAX_VALUE = 999_999;

/** A sample's figures: latency (mean ping ms), uptime and error rate (0..1), events per minute. */
export function healthOf(sample: SessionSample, intervalMs: number, at: Date): ConnectionHealth {
  const { latencies } = sample;
  return {
    latencyMs: latencies.length ? round4(latencies.reduce((a, b) => a + b, 0) / latencies.length) : null,
    uptime: round4(Math.min(1, sample.connectedMs / intervalMs)),
    errorRate: round4(
      sample.commands + sample.errors === 0 ? 0 : Math.min(1, sample.errors / Math.max(1, sample.commands)),
    ),
    eventRate: round4(Math.min(MAX_VALUE, (sample.events * 60_000) / intervalMs)),
    sampledAt: at.toISOString(),
  };
}

/** Metric rows of every sample in one insert; each connection's `connection_health` in one update. */
export async function recordSamples(
  db: Kysely<DB>,
  samples: Array<{ lease: LeasedConnection; sample: SessionSample }>,
  intervalMs: number,
  at: Date,
): Promise<void> {
  const healths = samples.map(({ lease, sample }) => ({ lease, health: healthOf(sample, intervalMs, at) }));
  const rows = healths.flatMap(({ lease, health }) => {
    const values: Array<[HaMetricType, number | null]> = [
      [HaMetricType.LATENCY, health.latencyMs === null ? null : Math.min(MAX_VALUE, health.latencyMs)],
      [HaMetricType.UPTIME, health.uptime],
      [HaMetricType.ERROR_RATE, health.errorRate],
      [HaMetricType.EVENT_RATE, health.eventRate],
    ];
    return values
      .filter((v): v is [HaMetricType, number] => v[1] !== null)
      .map(([metric_type, value]) => ({
        id: uuidv7(),
        workspace_id: lease.workspaceId,
        connection_id: lease.id,
        metric_type,
        metric_value: String(value),
        timestamp: at,
        created_at: sql<Date>`now()`,
      }));
  });
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('ha_connection_metrics').values(rows).execute();
    await sql`
      update ha_connections c set connection_health = x.health, last_seen_at = case when (x.health->>'uptime')::float > 0 then ${at} else c.last_seen_at end
        from unnest(${healths.map((h) => h.lease.id)}::uuid[], ${healths.map((h) => JSON.stringify(h.health))}::jsonb[]) as x(id, health)
       where c.id = x.id`.execute(tx);
  });
}

const BUCKETS: Record<HaMetricBucket, string> = {
  [HaMetricBucket.MINUTE]: '1 minute',
  [HaMetricBucket.FIVE_MINUTES]: '5 minutes',
  [HaMetricBucket.HOUR]: '1 hour',
  [HaMetricBucket.DAY]: '1 day',
};

const MAX_POINTS = 2000;

/** Samples of a connection in [from, to), averaged per bucket (aligned to the epoch, UTC). */
export async function metricSeries(
  db: Kysely<DB>,
  workspaceId: string,
  connectionId: string,
  options: { types: HaMetricType[] | null; from: Date; to: Date; bucket: HaMetricBucket },
): Promise<HaMetricPointNode[]> {
  const { from, to, bucket } = options;
  if (!(to.getTime() > from.getTime())) throw new InvalidHaInputError('to must be after from');
  const bucketMs = { MINUTE: 60_000, FIVE_MINUTES: 300_000, HOUR: 3_600_000, DAY: 86_400_000 }[bucket];
  if ((to.getTime() - from.getTime()) / bucketMs > MAX_POINTS) {
    throw new InvalidHaInputError(`at most ${MAX_POINTS} buckets: choose a larger bucket or a shorter range`);
  }
  const interval = BUCKETS[bucket];
  let query = db
    .selectFrom('ha_connection_metrics')
    .select([
      sql<string>`date_bin(${interval}::interval, timestamp, timestamptz '2000-01-01 00:00:00+00')`.as('at'),
      'metric_type as type',
      sql<number>`avg(metric_value)::float8`.as('average'),
      sql<number>`min(metric_value)::float8`.as('min'),
      sql<number>`max(metric_value)::float8`.as('max'),
      sql<number>`count(*)::int`.as('samples'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('connection_id', '=', connectionId)
    .where('timestamp', '>=', from)
    .where('timestamp', '<', to)
    .groupBy(['at', 'metric_type'])
    .orderBy('metric_type')
    .orderBy('at');
  if (options.types?.length) query = query.where('metric_type', 'in', options.types);
  return (await query.execute()) as unknown as HaMetricPointNode[];
}
