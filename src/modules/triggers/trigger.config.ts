import type { CalendarItemStatus } from '../calendar/calendar.enums';
import type { GeofenceTransition, TriggerActionType } from './trigger.enums';

/** `trigger_config` of a TIME trigger: exactly one of the three forms. */
export type TimeConfig = { at: string } | { cron: string; timeZone: string } | { minutesBefore: number };

export interface LocationConfig {
  latitude: number;
  longitude: number;
  radiusMeters: number;
  on: GeofenceTransition;
}

export interface ProgressConfig {
  thresholdPercent: number;
  once: boolean;
}

export interface NfcConfig {
  /** Normalised: upper-case hex digits, no separators. */
  tagId: string;
}

/** An entity of a Home Assistant connection changes state (optionally from/to a state, held N s). */
export interface HaStateConfig {
  connectionId: string;
  entityId: string;
  from: string | null;
  to: string | null;
  forSeconds: number;
}

export type TriggerConfig = TimeConfig | LocationConfig | ProgressConfig | NfcConfig | HaStateConfig;

/** The action a trigger runs, as stored. */
export type ActionConfig =
  | { type: TriggerActionType.NOTIFY; title?: string | null; message?: string | null }
  | { type: TriggerActionType.COMPLETE_ITEM }
  | { type: TriggerActionType.SET_STATUS; status: CalendarItemStatus }
  | { type: TriggerActionType.WEBHOOK; url: string; timeoutMs: number }
  | {
      type: TriggerActionType.CALL_HA_SERVICE;
      connectionId: string;
      domain: string;
      service: string;
      serviceData: Record<string, unknown> | null;
      target: Record<string, unknown> | null;
    };

/** Per-trigger engine state. */
export interface TriggerState {
  /** Geofence: last definite side of the fence. */
  inside?: boolean;
  /** Progress: fired already (for `once`). */
  fired?: boolean;
  /** HA_STATE with `forSeconds`: the change waiting to have lasted long enough. */
  pending?: { since: string; eventId: string; state: string | null } | null;
}
