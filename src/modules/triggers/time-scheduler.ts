import { sql } from 'kysely';
import type { App } from '../../app';
import { toDate } from '../../common/scalars';
import type { DB } from '../../db/tables';
import { asRecurring } from '../calendar/calendar.service';
import { nextFireTime } from './schedule';
import type { TimeConfig, TriggerState } from './trigger.config';
import { firingQuery, toFiring, type Firing, type TriggerEngine } from './trigger-engine';
import { MissedFirePolicy, TriggerType } from './trigger.enums';

export interface SchedulerOptions {
  batchSize: number;
  /** A firing later than this is "missed": SKIP triggers do not fire it. */
  graceMs: number;
  pollMs: number;
}

/**
 * Fires TIME triggers when they are due. Each batch is claimed in one transaction
 * (`for update skip locked`, then `next_fire_at` moved on), so however many instances poll the
 * same database, each due time is fired by exactly one of them; the unique
 * (trigger, scheduled time) of executions guards it again. State lives in the database, so a
 * restart picks up where it stopped, and times missed while nothing ran are caught up by policy.
 */
export class TimeTriggerScheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;

  constructor(
    private readonly app: App,
    private readonly engine: TriggerEngine,
    private readonly options: SchedulerOptions,
  ) {}

  /** Fires everything due at `now`; returns how many triggers were claimed. */
  /**
   * `onlyWorkspace` limits what is claimed (tests sharing one database with other tests).
   */
  async tick(now: Date = this.app.clock(), onlyWorkspace?: string): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await this.claimAndFire(now, onlyWorkspace);
      total += claimed;
      if (claimed < this.options.batchSize) return total;
    }
  }

  /** Polls every `pollMs` (measured from the start of each tick) until `stop`. */
  start(): void {
    const loop = () => {
      if (this.#stopped) return;
      const started = Date.now();
      this.#running = this.tick()
        .catch((error: unknown) => this.app.logger.error({ err: error }, 'time trigger tick failed'))
        .finally(() => {
          const wait = Math.max(0, this.options.pollMs - (Date.now() - started));
          if (!this.#stopped) this.#timer = setTimeout(loop, wait);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  private async claimAndFire(now: Date, onlyWorkspace: string | undefined): Promise<number> {
    const em = this.app.orm.em.fork();
    const { firings, claimed } = await em.transactional(async (tx) => {
      const db = tx.getKysely<DB>();
      const rows = await firingQuery(db)
        .select(['t.next_fire_at', 't.missed_policy', 'c.start_time', 'c.end_time', 'c.time_zone', 'c.recurrence_rule'])
        .where('t.is_active', '=', true)
        .where('t.next_fire_at', '<=', now)
        .$if(onlyWorkspace !== undefined, (q) => q.where('t.workspace_id', '=', onlyWorkspace!))
        .orderBy('t.next_fire_at')
        .limit(this.options.batchSize)
        .forUpdate('t')
        .skipLocked()
        .execute();
      const batch: Firing[] = [];
      const nextTimes: Array<string | null> = [];
      for (const row of rows) {
        const scheduledFor = toDate(row.next_fire_at!);
        const lateMs = Math.max(0, now.getTime() - scheduledFor.getTime());
        const item = row.start_time
          ? asRecurring({
              ...row,
              startTime: row.start_time,
              endTime: row.end_time,
              timeZone: row.time_zone,
              recurrenceRule: row.recurrence_rule,
            })
          : null;
        // A late firing fires once; the next time is the first one after now.
        const after = lateMs > 0 ? now : scheduledFor;
        if (row.trigger_type === TriggerType.HA_STATE) {
          // A state held long enough: fires once; the next change schedules it again.
          nextTimes.push(null);
          const pending = (row.state as TriggerState).pending;
          if (row.missed_policy === MissedFirePolicy.SKIP && lateMs > this.options.graceMs) continue;
          const reason = {
            heldSince: pending?.since ?? null,
            eventId: pending?.eventId ?? null,
            toState: pending?.state ?? null,
          };
          batch.push(toFiring(row, { firedAt: now, scheduledFor, lateMs }, { reason, state: { pending: null } }));
          continue;
        }
        nextTimes.push(nextFireTime(row.trigger_config as TimeConfig, item, after)?.toISOString() ?? null);
        if (row.missed_policy === MissedFirePolicy.SKIP && lateMs > this.options.graceMs) continue;
        batch.push(toFiring(row, { firedAt: now, scheduledFor, lateMs }));
      }
      if (rows.length > 0) {
        await sql`
          update triggers t set next_fire_at = x.next_fire_at, updated_at = now()
            from unnest(${rows.map((r) => r.id)}::uuid[], ${nextTimes}::timestamptz[]) as x(id, next_fire_at)
           where t.id = x.id`.execute(db);
      }
      return { firings: batch, claimed: rows.length };
    });
    await this.engine.fire(firings);
    return claimed;
  }
}
