import { DateTime, IANAZone } from 'luxon';
import { GoalKind, GoalPeriod, QuestEventKind } from './quest.enums';

/** XP an event gives: per item for GitHub activity, per amount for a day's totals. */
export function xpFor(kind: QuestEventKind, value: number): number {
  switch (kind) {
    case QuestEventKind.COMMIT:
      return 10;
    case QuestEventKind.PULL_REQUEST_MERGED:
      return 40;
    case QuestEventKind.ISSUE_CLOSED:
      return 20;
    case QuestEventKind.STEPS:
      return Math.floor(value / 250);
    case QuestEventKind.ACTIVE_MINUTES:
      return Math.floor(value / 2);
    case QuestEventKind.SLEEP:
      return Math.floor(value / 60) * 5;
  }
}

/** The events each kind of goal counts. */
export const GOAL_EVENT_KIND: Record<GoalKind, QuestEventKind> = {
  [GoalKind.COMMITS]: QuestEventKind.COMMIT,
  [GoalKind.PULL_REQUESTS]: QuestEventKind.PULL_REQUEST_MERGED,
  [GoalKind.STEPS]: QuestEventKind.STEPS,
  [GoalKind.ACTIVE_MINUTES]: QuestEventKind.ACTIVE_MINUTES,
  [GoalKind.SLEEP_HOURS]: QuestEventKind.SLEEP,
};

/** Progress in the goal's unit from the sum of its events' values (sleep is stored in minutes). */
export function progressOf(kind: GoalKind, sum: number): number {
  return kind === GoalKind.SLEEP_HOURS ? Math.round((sum / 60) * 100) / 100 : sum;
}

/** XP for the pets when a goal is met, once per period. */
export const GOAL_BONUS_XP: Record<GoalPeriod, number> = {
  [GoalPeriod.DAILY]: 25,
  [GoalPeriod.WEEKLY]: 100,
};

export interface Period {
  start: Date;
  end: Date;
}

export function isValidTimeZone(zone: string): boolean {
  return zone.length <= 64 && IANAZone.isValidZone(zone);
}

/** The day, or ISO week (Monday to Sunday), in `timeZone` that contains `at`. */
export function periodAt(period: GoalPeriod, timeZone: string, at: Date): Period {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const unit = period === GoalPeriod.DAILY ? 'day' : 'week';
  const start = local.startOf(unit);
  return { start: start.toJSDate(), end: start.plus(unit === 'day' ? { days: 1 } : { weeks: 1 }).toJSDate() };
}

export function previousPeriod(period: GoalPeriod, timeZone: string, current: Period): Period {
  return periodAt(period, timeZone, new Date(current.start.getTime() - 1));
}

/** The date (`YYYY-MM-DD`) of `at` in `timeZone`. */
export function localDate(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate() ?? at.toISOString().slice(0, 10);
}

/** Where a day's totals are placed in time: noon UTC of the date, inside that date in UTC−11…UTC+11. */
export function dayInstant(date: string): Date {
  return new Date(`${date}T12:00:00.000Z`);
}
