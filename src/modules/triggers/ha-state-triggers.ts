import { sql } from 'kysely';
import type { App } from '../../app';
import type { DB } from '../../db/tables';
import type { StoredHaEvent } from '../home-assistant/ha-ingest';
import type { HaStateConfig, TriggerConfig, TriggerState } from './trigger.config';
import { firingQuery, toFiring, type Firing } from './trigger-engine';
import { TriggerType } from './trigger.enums';

/** The lookup key of an HA_STATE trigger: `<connection id>:<entity id>` (null for other types). */
export function haEntityKey(config: TriggerConfig): string | null {
  return 'entityId' in config ? `${config.connectionId}:${config.entityId}` : null;
}

interface Transition {
  eventId: string;
  entityId: string;
  from: string | null;
  to: string | null;
  at: string;
}

/**
 * Fires HA_STATE triggers on the state changes the ingest just stored: one query for the triggers
 * of every changed entity in the batch. A change matching `from`/`to` fires at once, or, with
 * `forSeconds`, is scheduled (`next_fire_at`) and fired by the time trigger scheduler unless the
 * entity changes again before then — so the wait survives restarts and fires exactly once.
 */
export function haStateListener(app: App): (events: StoredHaEvent[]) => Promise<void> {
  return async (stored) => {
    const byKey = new Map<string, Transition[]>();
    for (const { event } of stored) {
      if (event.eventType !== 'state_changed' || !event.entityId || event.oldState === event.newState) continue;
      const key = `${event.connectionId}:${event.entityId}`;
      const list = byKey.get(key) ?? [];
      list.push({
        eventId: event.id,
        entityId: event.entityId,
        from: event.oldState,
        to: event.newState,
        at: event.timestamp,
      });
      byKey.set(key, list);
    }
    if (byKey.size === 0) return;
    const db = app.orm.em.getKysely<DB>();
    const rows = await firingQuery(db)
      .select(['t.ha_entity_key'])
      .where('t.ha_entity_key', 'in', [...byKey.keys()])
      .where('t.is_active', '=', true)
      .where('t.trigger_type', '=', TriggerType.HA_STATE)
      .execute();
    if (rows.length === 0) return;
    const now = app.clock();
    const firings: Firing[] = [];
    const schedules: Array<{ id: string; nextFireAt: string | null; state: TriggerState }> = [];
    for (const row of rows) {
      const config = row.trigger_config as HaStateConfig;
      let pending = (row.state as TriggerState).pending ?? null;
      let touched = false;
      const transitions = [...(byKey.get(row.ha_entity_key!) ?? [])].sort((a, b) => (a.at < b.at ? -1 : 1));
      for (const change of transitions) {
        const matches =
          (config.from === null || change.from === config.from) && (config.to === null || change.to === config.to);
        if (matches && config.forSeconds === 0) {
          firings.push(
            toFiring(row, { firedAt: now, scheduledFor: null, lateMs: null }, { reason: reasonOf(config, change) }),
          );
        } else if (matches) {
          pending = { since: change.at, eventId: change.eventId, state: change.to };
          touched = true;
        } else if (pending) {
          pending = null; // it changed again before lasting long enough
          touched = true;
        }
      }
      if (touched) {
        const due = pending
          ? new Date(new Date(pending.since).getTime() + config.forSeconds * 1000).toISOString()
          : null;
        schedules.push({ id: row.id, nextFireAt: due, state: { pending } });
      }
    }
    if (schedules.length > 0) {
      await sql`
        update triggers t set next_fire_at = x.next_fire_at, state = t.state || x.state, updated_at = now()
          from unnest(${schedules.map((s) => s.id)}::uuid[], ${schedules.map((s) => s.nextFireAt)}::timestamptz[],
                      ${schedules.map((s) => JSON.stringify(s.state))}::jsonb[]) as x(id, next_fire_at, state)
         where t.id = x.id`.execute(db);
    }
    await app.triggerEngine.fire(firings);
  };
}

function reasonOf(config: HaStateConfig, change: Transition): Record<string, unknown> {
  return {
    connectionId: config.connectionId,
    entityId: change.entityId,
    fromState: change.from,
    toState: change.to,
    eventId: change.eventId,
  };
}
