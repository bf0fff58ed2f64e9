import { DateTime, Info, type Zone } from 'luxon';
import { Frequency, RRule, Weekday, type Options } from 'rrule';
import { BadUserInputError } from '../../common/errors';

/*
 * Recurrence is computed in "floating" time: a Date whose UTC fields hold a wall-clock time in the
 * item's zone. rrule then does plain UTC arithmetic (no DST), and every floating occurrence is turned
 * back into a real instant with luxon. rrule's own `tzid` support is deliberately not used.
 */

/** What a calendar item needs for its occurrences to be computed. */
export interface RecurringItem {
  startTime: Date;
  endTime: Date | null;
  timeZone: string;
  recurrenceRule: string | null;
}

/** One occurrence of an item, as exact instants. */
export interface Occurrence {
  start: Date;
  end: Date;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Covers any change of UTC offset (the largest there has ever been is a whole day). */
const MARGIN_MS = 2 * DAY_MS;
const DEFAULT_LIMIT = 1000;
/** rrule cannot go past year 9999. */
const MAX_FLOATING_MS = Date.UTC(9999, 11, 31, 23, 59, 59);
const YEAR_MS = 366 * DAY_MS;

/** Length of one period for the frequencies whose periods all have the same length in floating time. */
const FIXED_PERIOD_MS: Partial<Record<Frequency, number>> = {
  [Frequency.WEEKLY]: 7 * DAY_MS,
  [Frequency.DAILY]: DAY_MS,
  [Frequency.HOURLY]: HOUR_MS,
  [Frequency.MINUTELY]: 60_000,
  [Frequency.SECONDLY]: 1000,
};

/**
 * How far ahead `nextOccurrenceAfter` looks before giving up: only a rule that (almost) never
 * matches, e.g. `FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`, gets that far, and rrule walks it period by period.
 */
const SEARCH_HORIZON_MS: Record<Frequency, number> = {
  [Frequency.YEARLY]: 1000 * YEAR_MS,
  [Frequency.MONTHLY]: 1000 * YEAR_MS,
  [Frequency.WEEKLY]: 100 * YEAR_MS,
  [Frequency.DAILY]: 100 * YEAR_MS,
  [Frequency.HOURLY]: 10 * YEAR_MS,
  [Frequency.MINUTELY]: YEAR_MS,
  [Frequency.SECONDLY]: YEAR_MS,
};

const FREQUENCIES: Record<string, Frequency> = {
  YEARLY: Frequency.YEARLY,
  MONTHLY: Frequency.MONTHLY,
  WEEKLY: Frequency.WEEKLY,
  DAILY: Frequency.DAILY,
  HOURLY: Frequency.HOURLY,
  MINUTELY: Frequency.MINUTELY,
  SECONDLY: Frequency.SECONDLY,
};

/** rrule numbers weekdays from Monday = 0. */
const WEEKDAYS: Record<string, number> = { MO: 0, TU: 1, WE: 2, TH: 3, FR: 4, SA: 5, SU: 6 };

/** Integer list parts: their rrule option, range, and whether negative values (from the end) are allowed. */
const NUMBER_LISTS: Record<string, { option: keyof Options; min: number; max: number; signed: boolean }> = {
  BYSECOND: { option: 'bysecond', min: 0, max: 59, signed: false },
  BYMINUTE: { option: 'byminute', min: 0, max: 59, signed: false },
  BYHOUR: { option: 'byhour', min: 0, max: 23, signed: false },
  BYMONTHDAY: { option: 'bymonthday', min: 1, max: 31, signed: true },
  BYYEARDAY: { option: 'byyearday', min: 1, max: 366, signed: true },
  BYWEEKNO: { option: 'byweekno', min: 1, max: 53, signed: true },
  BYMONTH: { option: 'bymonth', min: 1, max: 12, signed: false },
  BYSETPOS: { option: 'bysetpos', min: 1, max: 366, signed: true },
};

const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const DATE_TIME = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/;

/** A date or date-time value as written: `wall` holds its fields as UTC fields. */
interface DateValue {
  text: string;
  wall: Date;
  hasTime: boolean;
  utc: boolean;
}

interface ParsedRule {
  freq: Frequency;
  interval: number;
  count: number | null;
  until: DateValue | null;
  /** The by-parts and WKST, ready for rrule. */
  options: Partial<Options>;
  /** Normalised NAME=VALUE parts, FREQ first. */
  parts: [string, string][];
}

type Exdate = { kind: 'instant'; instant: Date } | { kind: 'floating'; wall: Date } | { kind: 'date'; isoDate: string };

interface ParsedRecurrence {
  rule: ParsedRule;
  exdates: Exdate[];
  exdateLines: string[];
}

/** Everything needed to walk one item's occurrences. */
interface Plan {
  zone: Zone;
  durationMs: number;
  floatingStart: Date;
  rule: ParsedRule;
  /** UNTIL as rrule sees it (floating), with a margin when UNTIL is an instant. */
  floatingUntil: Date | null;
  /** UNTIL as an exact instant, when it was given in UTC. */
  untilInstant: number | null;
  /** Excluded starts, in whole seconds since the epoch (EXDATE has no milliseconds). */
  excludedSeconds: Set<number>;
  /** Excluded local dates (`yyyy-MM-dd` in the item's zone). */
  excludedDates: Set<string>;
}

function invalid(message: string): BadUserInputError {
  return new BadUserInputError(`recurrenceRule ${message}`);
}

/** Whether `timeZone` is an IANA time zone name (e.g. `Europe/Berlin`, `UTC`) this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length > 64 || !IANA_NAME.test(timeZone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return false;
  }
  return DateTime.fromMillis(0, { zone: timeZone }).isValid;
}

function assertTimeZone(timeZone: string, what = 'timeZone'): void {
  if (!isValidTimeZone(timeZone)) throw new BadUserInputError(`${what} is not a valid IANA time zone`);
}

function assertDate(value: Date, what: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new BadUserInputError(`${what} is not a valid date`);
  }
}

/** The wall-clock time of `instant` in `zone`, as a floating Date. */
function toFloating(instant: Date, zone: Zone): Date {
  const local = DateTime.fromJSDate(instant, { zone });
  return new Date(
    Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond),
  );
}

/**
 * The instant at which the floating wall-clock time `wall` happens in `zone`. A time skipped by a
 * spring-forward gap moves forward by the gap (as luxon does); a time that happens twice is the
 * first of the two, as RFC 5545 says.
 */
function toInstant(wall: Date, zone: Zone): Date {
  // Fast path: the same offset a day either side means no change of offset near this time.
  const w = wall.getTime();
  const offset = zone.offset(w - DAY_MS);
  if (zone.offset(w + DAY_MS) === offset && zone.offset(w - offset * 60_000) === offset) {
    return new Date(w - offset * 60_000);
  }
  const local = DateTime.fromObject(
    {
      year: wall.getUTCFullYear(),
      month: wall.getUTCMonth() + 1,
      day: wall.getUTCDate(),
      hour: wall.getUTCHours(),
      minute: wall.getUTCMinutes(),
      second: wall.getUTCSeconds(),
      millisecond: wall.getUTCMilliseconds(),
    },
    { zone },
  );
  const earliest = Math.min(...local.getPossibleOffsets().map((candidate) => candidate.toMillis()));
  return new Date(Number.isFinite(earliest) ? earliest : local.toMillis());
}

function localIsoDate(instant: Date, zone: Zone): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat('yyyy-MM-dd');
}

function formatUtc(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'");
}

/** Parses `yyyyMMdd`, `yyyyMMddTHHmmss` or `yyyyMMddTHHmmssZ`, or returns null. */
function parseDateValue(raw: string): DateValue | null {
  const text = raw.trim().toUpperCase();
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0));
  if (hour > 23 || minute > 59 || second > 59) return null;
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (wall.getUTCFullYear() !== year || wall.getUTCMonth() !== month - 1 || wall.getUTCDate() !== day) return null;
  return { text, wall, hasTime: match[4] !== undefined, utc: match[7] === 'Z' };
}

function parseNumberList(name: string, value: string): number[] {
  const spec = NUMBER_LISTS[name];
  return value.split(',').map((item) => {
    const n = /^[+-]?\d{1,3}$/.test(item) ? Number(item) : NaN;
    const size = Math.abs(n);
    if (!Number.isInteger(n) || size < spec.min || size > spec.max || (n < 0 && !spec.signed) || Object.is(n, -0)) {
      const range = spec.signed
        ? `${spec.min} to ${spec.max} or -${spec.max} to -${spec.min}`
        : `${spec.min} to ${spec.max}`;
      throw invalid(`has an invalid ${name} value "${item}" (expected ${range})`);
    }
    return n;
  });
}

function parsePositive(name: string, value: string): number {
  const n = /^\d{1,9}$/.test(value) ? Number(value) : 0;
  if (n < 1) throw invalid(`has an invalid ${name} "${value}" (expected a positive whole number)`);
  return n;
}

function parseWeekdays(value: string): { weekdays: Weekday[]; text: string; hasOrdinal: boolean } {
  let hasOrdinal = false;
  const items = value.split(',').map((item) => {
    const match = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
    const n = match?.[1] === undefined ? undefined : Number(match[1]);
    if (!match || (n !== undefined && (n === 0 || Math.abs(n) > 53))) {
      throw invalid(`has an invalid BYDAY value "${item}" (expected e.g. MO, 1MO or -1FR)`);
    }
    hasOrdinal ||= n !== undefined;
    return { weekday: new Weekday(WEEKDAYS[match[2]], n), text: `${n ?? ''}${match[2]}` };
  });
  return { weekdays: items.map((i) => i.weekday), text: items.map((i) => i.text).join(','), hasOrdinal };
}

/** Parses and checks an RRULE value (`FREQ=...;...`) against RFC 5545 section 3.3.10. */
function parseRule(value: string): ParsedRule {
  const seen = new Set<string>();
  const parts: [string, string][] = [];
  const options: Partial<Options> = {};
  let freq: Frequency | undefined;
  let interval = 1;
  let count: number | null = null;
  let until: DateValue | null = null;
  let hasOrdinalDay = false;

  for (const part of value.split(';').filter((p) => p.trim() !== '')) {
    const match = /^\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!match) throw invalid(`has a malformed RRULE part "${part}" (expected NAME=VALUE)`);
    const name = match[1].toUpperCase();
    let text = match[2].toUpperCase();
    if (seen.has(name)) throw invalid(`repeats the RRULE part ${name}`);
    seen.add(name);

    if (name === 'FREQ') {
      freq = FREQUENCIES[text];
      if (freq === undefined) {
        throw invalid(`has an invalid FREQ "${text}" (expected one of ${Object.keys(FREQUENCIES).join(', ')})`);
      }
    } else if (name === 'INTERVAL') {
      interval = parsePositive(name, text);
      text = String(interval);
    } else if (name === 'COUNT') {
      count = parsePositive(name, text);
      text = String(count);
    } else if (name === 'UNTIL') {
      until = parseDateValue(text);
      if (!until) {
        throw invalid(`has an invalid UNTIL "${text}" (expected yyyyMMdd, yyyyMMddTHHmmss or yyyyMMddTHHmmssZ)`);
      }
    } else if (name === 'BYDAY') {
      const days = parseWeekdays(text);
      options.byweekday = days.weekdays;
      hasOrdinalDay = days.hasOrdinal;
      text = days.text;
    } else if (name === 'WKST') {
      if (WEEKDAYS[text] === undefined) throw invalid(`has an invalid WKST "${text}" (expected MO to SU)`);
      options.wkst = WEEKDAYS[text];
    } else if (name in NUMBER_LISTS) {
      const numbers = parseNumberList(name, text);
      Object.assign(options, { [NUMBER_LISTS[name].option]: numbers });
      text = numbers.join(',');
    } else {
      throw invalid(`has an unknown RRULE part ${name}`);
    }
    parts.push([name, text]);
  }

  if (freq === undefined) throw invalid('has no FREQ');
  if (count !== null && until !== null) throw invalid('cannot have both COUNT and UNTIL');
  if (seen.has('BYWEEKNO') && freq !== Frequency.YEARLY) throw invalid('can only use BYWEEKNO with FREQ=YEARLY');
  if (seen.has('BYYEARDAY') && [Frequency.MONTHLY, Frequency.WEEKLY, Frequency.DAILY].includes(freq)) {
    throw invalid('cannot use BYYEARDAY with FREQ=MONTHLY, WEEKLY or DAILY');
  }
  if (seen.has('BYMONTHDAY') && freq === Frequency.WEEKLY) throw invalid('cannot use BYMONTHDAY with FREQ=WEEKLY');
  if (hasOrdinalDay && (![Frequency.MONTHLY, Frequency.YEARLY].includes(freq) || seen.has('BYWEEKNO'))) {
    throw invalid('can only use numbered BYDAY values (like 1MO) with FREQ=MONTHLY or YEARLY, without BYWEEKNO');
  }
  if (seen.has('BYSETPOS') && ![...seen].some((name) => name.startsWith('BY') && name !== 'BYSETPOS')) {
    throw invalid('can only use BYSETPOS together with another BY... part');
  }
  parts.sort(([a], [b]) => Number(b === 'FREQ') - Number(a === 'FREQ'));
  return { freq, interval, count, until, options, parts };
}

/** Parses one EXDATE line (`EXDATE[;TZID=...][;VALUE=DATE]:v1,v2`), returning its values and normalised text. */
function parseExdate(line: string): { exdates: Exdate[]; text: string } {
  const match = /^EXDATE((?:;[^:]*)?):(.*)$/i.exec(line);
  if (!match) throw invalid(`has a malformed EXDATE line "${line}"`);
  let tzid: string | null = null;
  let dateOnly = false;
  const seen = new Set<string>();
  for (const param of match[1].split(';').slice(1)) {
    const [name, value] = param.split('=', 2).map((s) => s.trim());
    const key = name.toUpperCase();
    if (seen.has(key)) throw invalid(`repeats the EXDATE parameter ${key}`);
    seen.add(key);
    if (key === 'TZID' && value) {
      tzid = value.replace(/^"(.*)"$/, '$1');
      if (!isValidTimeZone(tzid)) throw invalid(`has an EXDATE whose TZID "${tzid}" is not a valid IANA time zone`);
    } else if (key === 'VALUE' && /^DATE(-TIME)?$/i.test(value ?? '')) {
      dateOnly = value.toUpperCase() === 'DATE';
    } else {
      throw invalid(`has an unsupported EXDATE parameter "${param}" (expected TZID=... or VALUE=DATE)`);
    }
  }
  if (dateOnly && tzid) throw invalid('cannot use TZID with EXDATE;VALUE=DATE');

  const values = match[2].split(',').map((raw) => {
    const value = parseDateValue(raw);
    if (!value || value.hasTime === dateOnly || (value.utc && tzid)) {
      const expected = dateOnly ? 'yyyyMMdd' : tzid ? 'yyyyMMddTHHmmss' : 'yyyyMMddTHHmmss or yyyyMMddTHHmmssZ';
      throw invalid(`has an invalid EXDATE value "${raw.trim()}" (expected ${expected})`);
    }
    return value;
  });
  const exdates = values.map((value): Exdate => {
    if (dateOnly) return { kind: 'date', isoDate: value.wall.toISOString().slice(0, 10) };
    if (value.utc) return { kind: 'instant', instant: value.wall };
    if (tzid) return { kind: 'instant', instant: toInstant(value.wall, Info.normalizeZone(tzid)) };
    return { kind: 'floating', wall: value.wall };
  });
  const params = `${tzid ? `;TZID=${tzid}` : ''}${dateOnly ? ';VALUE=DATE' : ''}`;
  return { exdates, text: `EXDATE${params}:${values.map((v) => v.text).join(',')}` };
}

/** Splits content lines, unfolding RFC 5545 continuation lines and dropping blank ones. */
function contentLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(raw) && lines.length > 0) lines[lines.length - 1] += raw.slice(1);
    else lines.push(raw);
  }
  return lines.map((line) => line.trim()).filter((line) => line !== '');
}

function parseRecurrence(text: string): ParsedRecurrence {
  const lines = contentLines(text);
  let rule: ParsedRule | null = null;
  const exdates: Exdate[] = [];
  const exdateLines: string[] = [];
  for (const line of lines) {
    const upper = line.toUpperCase();
    if (upper.startsWith('RRULE;')) throw invalid('does not support parameters on RRULE');
    const bare = lines.length === 1 && /^[A-Za-z]+=/.test(line);
    if (upper.startsWith('RRULE:') || bare) {
      if (rule) throw invalid('can only have one RRULE line');
      rule = parseRule(bare ? line : line.slice('RRULE:'.length));
    } else if (/^EXDATE[:;]/.test(upper)) {
      const parsed = parseExdate(line);
      exdates.push(...parsed.exdates);
      exdateLines.push(parsed.text);
    } else {
      const shown = line.length > 40 ? `${line.slice(0, 40)}...` : line;
      throw invalid(`has an unsupported line "${shown}" (only RRULE and EXDATE lines are allowed)`);
    }
  }
  if (!rule) throw invalid('has no RRULE line');
  return { rule, exdates, exdateLines };
}

/**
 * Checks recurrence text (one RRULE line, the `RRULE:` prefix optional when it is the only line,
 * and any number of EXDATE lines) and returns the normalised text to store. Throws
 * BadUserInputError naming the problem: an invalid time zone, a malformed or contradictory RRULE,
 * a malformed EXDATE, or any other line.
 */
export function normaliseRecurrence(rule: string, timeZone: string): string {
  assertTimeZone(timeZone);
  const parsed = parseRecurrence(rule);
  const ruleLine = `RRULE:${parsed.rule.parts.map(([name, value]) => `${name}=${value}`).join(';')}`;
  return [ruleLine, ...parsed.exdateLines].join('\n');
}

/** Parses an item into a plan, or returns null when it does not recur. */
function planFor(item: RecurringItem): Plan | null {
  assertTimeZone(item.timeZone);
  assertDate(item.startTime, 'startTime');
  const text = item.recurrenceRule?.trim();
  if (!text) return null;
  const zone = Info.normalizeZone(item.timeZone);
  const { rule, exdates } = parseRecurrence(text);

  let floatingUntil: Date | null = null;
  let untilInstant: number | null = null;
  if (rule.until?.utc) {
    untilInstant = rule.until.wall.getTime();
    floatingUntil = new Date(toFloating(rule.until.wall, zone).getTime() + MARGIN_MS);
  } else if (rule.until) {
    // A date-only UNTIL includes the whole local day.
    floatingUntil = new Date(rule.until.wall.getTime() + (rule.until.hasTime ? 0 : DAY_MS - 1));
  }

  const excludedSeconds = new Set<number>();
  const excludedDates = new Set<string>();
  for (const exdate of exdates) {
    if (exdate.kind === 'date') excludedDates.add(exdate.isoDate);
    else {
      const instant = exdate.kind === 'instant' ? exdate.instant : toInstant(exdate.wall, zone);
      excludedSeconds.add(Math.floor(instant.getTime() / 1000));
    }
  }

  return {
    zone,
    durationMs: durationOf(item),
    floatingStart: toFloating(item.startTime, zone),
    rule,
    floatingUntil,
    untilInstant,
    excludedSeconds,
    excludedDates,
  };
}

function durationOf(item: RecurringItem): number {
  if (!item.endTime) return 0;
  assertDate(item.endTime, 'endTime');
  return Math.max(0, item.endTime.getTime() - item.startTime.getTime());
}

/**
 * The rrule for a plan, to be queried from `floatingFrom` on. Without COUNT, a fixed-length
 * frequency lets DTSTART jump forward by whole periods (INTERVALs) to just before `floatingFrom`:
 * rrule always walks from DTSTART, and this keeps an old rule with no end cheap to query.
 */
function ruleFrom(plan: Plan, floatingFrom: number): RRule {
  const { rule } = plan;
  let dtstart = plan.floatingStart;
  const period = FIXED_PERIOD_MS[rule.freq];
  if (rule.count === null && period !== undefined) {
    const step = period * rule.interval;
    const periods = Math.floor((floatingFrom - dtstart.getTime()) / step) - 1;
    if (periods > 0) dtstart = new Date(dtstart.getTime() + periods * step);
  }
  return new RRule(
    {
      ...rule.options,
      freq: rule.freq,
      interval: rule.interval,
      count: rule.count,
      until: plan.floatingUntil,
      dtstart,
    },
    true,
  );
}

/**
 * Calls `visit`, in floating order, with each occurrence start (an exact instant, before
 * exclusions) that may lie in [from, to], until `visit` returns false. rrule is asked for floating
 * times in the window converted with a margin; those that are more than a day (more than any UTC
 * offset) away from the window are skipped without converting them.
 */
function walk(plan: Plan, from: number, to: number, visit: (start: Date, floating: number) => boolean): void {
  const floatingFrom = toFloating(new Date(from), plan.zone).getTime() - MARGIN_MS;
  const floatingTo = Math.min(toFloating(new Date(to), plan.zone).getTime() + MARGIN_MS, MAX_FLOATING_MS);
  if (floatingFrom > floatingTo) return;
  ruleFrom(plan, floatingFrom).between(new Date(floatingFrom), new Date(floatingTo), true, (floating) => {
    const time = floating.getTime();
    if (time + DAY_MS < from || time - DAY_MS > to) return true;
    const start = toInstant(floating, plan.zone);
    if (plan.untilInstant !== null && start.getTime() > plan.untilInstant) return true;
    return visit(start, time);
  });
}

function isExcluded(plan: Plan, start: Date): boolean {
  return (
    plan.excludedSeconds.has(Math.floor(start.getTime() / 1000)) ||
    (plan.excludedDates.size > 0 && plan.excludedDates.has(localIsoDate(start, plan.zone)))
  );
}

function sortedUnique(starts: Date[]): Date[] {
  const sorted = [...starts].sort((a, b) => a.getTime() - b.getTime());
  return sorted.filter((start, i) => i === 0 || start.getTime() !== sorted[i - 1].getTime());
}

/**
 * Occurrences whose interval [start, end) overlaps [from, to) (for a zero-duration item: whose
 * start is in [from, to)), in ascending order, at most `limit`. A non-recurring item yields itself
 * if it overlaps. Occurrences keep the item's wall-clock time in its zone across DST changes.
 */
export function expandOccurrences(item: RecurringItem, from: Date, to: Date, limit = DEFAULT_LIMIT): Occurrence[] {
  assertDate(from, 'from');
  assertDate(to, 'to');
  const plan = planFor(item);
  const durationMs = plan?.durationMs ?? durationOf(item);
  const max = Number.isNaN(limit) ? DEFAULT_LIMIT : Math.max(0, Math.floor(limit));
  const overlaps = (start: Date): boolean =>
    durationMs > 0
      ? start.getTime() < to.getTime() && start.getTime() + durationMs > from.getTime()
      : start.getTime() >= from.getTime() && start.getTime() < to.getTime();
  const occurrence = (start: Date): Occurrence => ({ start, end: new Date(start.getTime() + durationMs) });

  if (max === 0 || from >= to) return [];
  if (!plan) return overlaps(item.startTime) ? [occurrence(item.startTime)] : [];

  const starts: Date[] = [];
  let latest = -Infinity;
  let cutoff: number | null = null;
  walk(plan, from.getTime() - durationMs, to.getTime(), (start, floating) => {
    // Later floating times are more than any UTC offset away from instants past the cutoff.
    if (cutoff !== null && floating - DAY_MS > cutoff) return false;
    if (!overlaps(start) || isExcluded(plan, start)) return true;
    starts.push(start);
    latest = Math.max(latest, start.getTime());
    if (cutoff === null && starts.length >= max) cutoff = latest;
    return true;
  });
  return sortedUnique(starts).slice(0, max).map(occurrence);
}

/**
 * The first occurrence start strictly after `after`, or null if there is none. For "N minutes
 * before each occurrence" triggers, pass `after` = now + N minutes. Gives up (null) after a
 * horizon of 1 to 1000 years depending on FREQ, which only a rule that (almost) never matches reaches.
 */
export function nextOccurrenceAfter(item: RecurringItem, after: Date): Date | null {
  assertDate(after, 'after');
  const plan = planFor(item);
  if (!plan) return item.startTime > after ? item.startTime : null;

  let best: number | null = null;
  walk(plan, after.getTime(), after.getTime() + SEARCH_HORIZON_MS[plan.rule.freq], (start, floating) => {
    if (best !== null && floating - DAY_MS > best) return false;
    const time = start.getTime();
    if (time > after.getTime() && !isExcluded(plan, start) && (best === null || time < best)) best = time;
    return true;
  });
  return best === null ? null : new Date(best);
}

/**
 * The parts of an item's recurrence for an iCalendar feed: the RRULE value (e.g.
 * `FREQ=WEEKLY;BYDAY=MO`, with any UNTIL rewritten in UTC as RFC 5545 requires next to a DTSTART
 * with TZID) or null, and every EXDATE as an exact instant, sorted. An `EXDATE;VALUE=DATE` becomes
 * the starts of the occurrences on that local date.
 */
export function recurrenceParts(item: RecurringItem): { rrule: string | null; exdates: Date[] } {
  const plan = planFor(item);
  if (!plan) return { rrule: null, exdates: [] };
  const parts = plan.rule.parts.map(([name, value]) => {
    const until = plan.rule.until;
    if (name !== 'UNTIL' || !until || until.utc) return `${name}=${value}`;
    const lastWall = new Date(until.wall.getTime() + (until.hasTime ? 0 : DAY_MS - 1000));
    return `UNTIL=${formatUtc(toInstant(lastWall, plan.zone))}`;
  });

  const exdates = [...plan.excludedSeconds].map((seconds) => new Date(seconds * 1000));
  for (const isoDate of plan.excludedDates) {
    const dayStart = DateTime.fromISO(isoDate, { zone: plan.zone }).startOf('day');
    const from = dayStart.toMillis();
    const to = dayStart.plus({ days: 1 }).toMillis();
    walk(plan, from, to, (start) => {
      if (start.getTime() >= from && start.getTime() < to) exdates.push(start);
      return true;
    });
  }
  return { rrule: parts.join(';'), exdates: sortedUnique(exdates) };
}
