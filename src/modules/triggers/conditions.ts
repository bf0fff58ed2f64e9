import { Cron } from 'croner';
import { isValidTimeZone } from '../calendar/recurrence';
import { parseId } from '../../common/ids';
import type {
  HaStateConfig,
  LocationConfig,
  NfcConfig,
  ProgressConfig,
  TimeConfig,
  TriggerConfig,
} from './trigger.config';
import { TriggerType } from './trigger.enums';
import { InvalidTriggerError } from './triggers.errors';
import type { HaStateConditionInput, TimeConditionInput, TriggerConditionInput } from './triggers.inputs';

/** `04:e8:d5:12`, `04-E8-D5-12` and `04e8d512` are the same tag: `04E8D512`. */
export function normaliseTagId(tagId: string): string {
  const hex = tagId.replace(/[\s:\-.]/g, '').toUpperCase();
  if (!/^[0-9A-F]{2,64}$/.test(hex) || hex.length % 2 !== 0) {
    throw new InvalidTriggerError('tagId must be hexadecimal bytes, e.g. 04:E8:D5:12:34:56:78');
  }
  return hex;
}

/** A croner schedule (validated); `timeZone` is IANA. */
export function cronSchedule(expression: string, timeZone: string): Cron {
  if (!isValidTimeZone(timeZone)) throw new InvalidTriggerError('timeZone is not a valid IANA time zone');
  try {
    return new Cron(expression, { timezone: timeZone, paused: true });
  } catch (error) {
    throw new InvalidTriggerError(`cron is not a valid cron expression: ${(error as Error).message}`);
  }
}

function parseTime(input: TimeConditionInput): TimeConfig {
  const forms = [input.at != null, input.cron != null, input.minutesBefore != null].filter(Boolean).length;
  if (forms !== 1) throw new InvalidTriggerError('a time condition needs exactly one of at, cron, minutesBefore');
  if (input.at) return { at: input.at.toISOString() };
  if (input.cron != null) {
    const timeZone = input.timeZone ?? 'UTC';
    cronSchedule(input.cron, timeZone);
    return { cron: input.cron.trim(), timeZone };
  }
  return { minutesBefore: input.minutesBefore as number };
}

const ENTITY_ID = /^[a-z0-9_]+\.[a-z0-9_]+$/;

function parseHaState(input: HaStateConditionInput): HaStateConfig {
  const entityId = input.entityId.trim();
  if (!ENTITY_ID.test(entityId)) throw new InvalidTriggerError('entityId must look like domain.object_id');
  const forSeconds = input.forSeconds ?? 0;
  if (!Number.isInteger(forSeconds) || forSeconds < 0 || forSeconds > 86_400) {
    throw new InvalidTriggerError('forSeconds must be between 0 and 86400');
  }
  return {
    connectionId: parseId(input.connectionId, 'connectionId'),
    entityId,
    from: input.from ?? null,
    to: input.to ?? null,
    forSeconds,
  };
}

/** The trigger's type and its stored `trigger_config`, from a typed condition input. */
export function parseCondition(input: TriggerConditionInput): { type: TriggerType; config: TriggerConfig } {
  const given = [input.time, input.location, input.progress, input.nfc, input.haState].filter((c) => c != null).length;
  if (given !== 1) {
    throw new InvalidTriggerError('a condition needs exactly one of time, location, progress, nfc, haState');
  }
  if (input.haState) return { type: TriggerType.HA_STATE, config: parseHaState(input.haState) };
  if (input.time) return { type: TriggerType.TIME, config: parseTime(input.time) };
  if (input.location) {
    const { latitude, longitude, radiusMeters, on } = input.location;
    if (!(Math.abs(latitude) <= 90) || !(Math.abs(longitude) <= 180)) {
      throw new InvalidTriggerError('latitude must be within ±90 and longitude within ±180');
    }
    if (!(radiusMeters > 0) || radiusMeters > 100_000) {
      throw new InvalidTriggerError('radiusMeters must be more than 0 and at most 100000');
    }
    const config: LocationConfig = { latitude, longitude, radiusMeters, on };
    return { type: TriggerType.LOCATION, config };
  }
  if (input.progress) {
    const { thresholdPercent, once } = input.progress;
    if (!Number.isInteger(thresholdPercent) || thresholdPercent < 1 || thresholdPercent > 100) {
      throw new InvalidTriggerError('thresholdPercent must be between 1 and 100');
    }
    const config: ProgressConfig = { thresholdPercent, once: once ?? true };
    return { type: TriggerType.PROGRESS, config };
  }
  const config: NfcConfig = { tagId: normaliseTagId(input.nfc!.tagId) };
  return { type: TriggerType.NFC, config };
}
