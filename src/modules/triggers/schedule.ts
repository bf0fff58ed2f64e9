import type { RecurringItem } from '../calendar/recurrence';
import { nextOccurrenceAfter } from '../calendar/recurrence';
import { cronSchedule } from './conditions';
import type { TimeConfig } from './trigger.config';

/**
 * When a TIME trigger fires next, strictly after `after`; null when it never will again.
 * `item` is needed for "minutes before the item starts" (each occurrence of a recurring item).
 */
export function nextFireTime(config: TimeConfig, item: RecurringItem | null, after: Date): Date | null {
  if ('at' in config) {
    const at = new Date(config.at);
    return at.getTime() > after.getTime() ? at : null;
  }
  if ('cron' in config) {
    return cronSchedule(config.cron, config.timeZone).nextRun(after) ?? null;
  }
  if (!item) return null;
  const leadMs = config.minutesBefore * 60_000;
  const occurrence = nextOccurrenceAfter(item, new Date(after.getTime() + leadMs));
  return occurrence ? new Date(occurrence.getTime() - leadMs) : null;
}
