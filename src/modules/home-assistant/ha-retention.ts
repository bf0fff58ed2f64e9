import { sql } from 'kysely';
import type { App } from '../../app';
import type { DB } from '../../db/tables';

const CHUNK = 10_000;

/**
 * Deletes events and metric samples older than their connection's retention, in chunks so that
 * no statement holds locks for long. Safe to run on every instance at once.
 */
export class HaRetention {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly app: App) {}

  start(intervalMs: number): void {
    const loop = () => {
      void this.run()
        .catch((error: unknown) => this.app.logger.warn({ err: error }, 'Home Assistant retention failed'))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(loop, intervalMs);
        });
    };
    this.#timer = setTimeout(loop, intervalMs);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Deletes what is past retention at `now`; returns how many events and samples it deleted. */
  async run(now: Date = this.app.clock()): Promise<{ events: number; metrics: number }> {
    const db = this.app.orm.em.getKysely<DB>();
    let events = 0;
    let metrics = 0;
    for (;;) {
      const result = await sql`
        delete from ha_events where id in (
          select e.id from ha_events e join ha_connections c on c.id = e.connection_id
           where e.timestamp < ${now}::timestamptz - make_interval(days => c.retention_days)
           limit ${CHUNK})`.execute(db);
      const n = Number(result.numAffectedRows ?? 0);
      events += n;
      if (n < CHUNK) break;
    }
    for (;;) {
      const result = await sql`
        delete from ha_connection_metrics where id in (
          select m.id from ha_connection_metrics m join ha_connections c on c.id = m.connection_id
           where m.timestamp < ${now}::timestamptz - make_interval(days => c.retention_days)
           limit ${CHUNK})`.execute(db);
      const n = Number(result.numAffectedRows ?? 0);
      metrics += n;
      if (n < CHUNK) break;
    }
    return { events, metrics };
  }
}
