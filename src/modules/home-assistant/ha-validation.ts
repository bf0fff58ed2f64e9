import { haWebSocketUrl, HaUrlError } from './ha-client';
import { InvalidHaInputError } from './ha.errors';

const EVENT_TYPE = /^[a-z0-9_]{1,100}$/;
const MAX_EVENT_TYPES = 20;
export const STATE_CHANGED = 'state_changed';

export function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 255) throw new InvalidHaInputError('name must be 1 to 255 characters');
  return trimmed;
}

/** The URL as stored: trimmed, without a trailing slash; must be http(s) or ws(s) without credentials. */
export function validUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  if (trimmed.length > 500) throw new InvalidHaInputError('url must be at most 500 characters');
  try {
    haWebSocketUrl(trimmed);
  } catch (error) {
    if (error instanceof HaUrlError) throw new InvalidHaInputError(`url: ${error.message}`);
    throw error;
  }
  return trimmed;
}

export function validToken(token: string): string {
  const trimmed = token.trim();
  if (trimmed.length < 1 || trimmed.length > 4096 || /\s/.test(trimmed)) {
    throw new InvalidHaInputError('accessToken must be a Home Assistant long-lived access token');
  }
  return trimmed;
}

/** `state_changed` first, then the other types, each once. */
export function validEventTypes(types: string[]): string[] {
  const unique = [...new Set([STATE_CHANGED, ...types.map((t) => t.trim())])];
  if (unique.length > MAX_EVENT_TYPES) throw new InvalidHaInputError(`at most ${MAX_EVENT_TYPES} event types`);
  const bad = unique.find((t) => !EVENT_TYPE.test(t));
  if (bad !== undefined) throw new InvalidHaInputError(`"${bad}" is not an event type (lower case, digits, _)`);
  return unique;
}

export function validRetentionDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new InvalidHaInputError('retentionDays must be between 1 and 3650');
  }
  return days;
}

const IDENTIFIER = /^[a-z0-9_]{1,100}$/;

/** Domain and service names as Home Assistant spells them (`light`, `turn_on`). */
export function validService(domain: string, service: string): { domain: string; service: string } {
  if (!IDENTIFIER.test(domain)) throw new InvalidHaInputError('domain must be lower case letters, digits and _');
  if (!IDENTIFIER.test(service)) throw new InvalidHaInputError('service must be lower case letters, digits and _');
  return { domain, service };
}
