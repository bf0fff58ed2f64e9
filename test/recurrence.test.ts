import { BadUserInputError } from '../src/common/errors';
import {
  expandOccurrences,
  isValidTimeZone,
  nextOccurrenceAfter,
  normaliseRecurrence,
  recurrenceParts,
  type Occurrence,
  type RecurringItem,
} from '../src/modules/calendar/recurrence';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

function item(
  start: string,
  recurrenceRule: string | null,
  timeZone = BERLIN,
  end: string | null = null,
): RecurringItem {
  return { startTime: new Date(start), endTime: end ? new Date(end) : null, timeZone, recurrenceRule };
}

function starts(occurrences: Occurrence[]): string[] {
  return occurrences.map((o) => o.start.toISOString());
}

function expand(it: RecurringItem, from: string, to: string, limit?: number): string[] {
  return starts(expandOccurrences(it, new Date(from), new Date(to), limit));
}

function next(it: RecurringItem, after: string): string | null {
  return nextOccurrenceAfter(it, new Date(after))?.toISOString() ?? null;
}

function badInput(run: () => unknown): BadUserInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadUserInputError);
    return error as BadUserInputError;
  }
  throw new Error('expected a BadUserInputError');
}

describe('DST', () => {
  it('keeps a weekly 09:00 Europe/Berlin meeting at 09:00 local across the October 2026 change', () => {
    // Wednesday 2026-10-14 09:00 CEST; clocks go back on Sunday 2026-10-25.
    const meeting = item('2026-10-14T07:00:00Z', 'RRULE:FREQ=WEEKLY', BERLIN, '2026-10-14T08:00:00Z');
    const occurrences = expandOccurrences(meeting, new Date('2026-10-01T00:00:00Z'), new Date('2026-11-10T00:00:00Z'));
    expect(occurrences.map((o) => [o.start.toISOString(), o.end.toISOString()])).toEqual([
      ['2026-10-14T07:00:00.000Z', '2026-10-14T08:00:00.000Z'],
      ['2026-10-21T07:00:00.000Z', '2026-10-21T08:00:00.000Z'],
      ['2026-10-28T08:00:00.000Z', '2026-10-28T09:00:00.000Z'],
      ['2026-11-04T08:00:00.000Z', '2026-11-04T09:00:00.000Z'],
    ]);
  });

  it('keeps several weekdays at 09:00 local across the change', () => {
    const meeting = item('2026-10-19T07:00:00Z', 'FREQ=WEEKLY;BYDAY=MO,WE');
    expect(expand(meeting, '2026-10-19T00:00:00Z', '2026-11-01T00:00:00Z')).toEqual([
      '2026-10-19T07:00:00.000Z',
      '2026-10-21T07:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
      '2026-10-28T08:00:00.000Z',
    ]);
  });

  it('keeps a monthly "last Friday" at 09:00 local across the change', () => {
    const monthly = item('2026-09-25T07:00:00Z', 'FREQ=MONTHLY;BYDAY=-1FR');
    expect(expand(monthly, '2026-09-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual([
      '2026-09-25T07:00:00.000Z',
      '2026-10-30T08:00:00.000Z',
      '2026-11-27T08:00:00.000Z',
    ]);
  });

  it('keeps a daily 09:00 America/New_York item at 09:00 local across the March 2027 change', () => {
    // Clocks go forward on Sunday 2027-03-14: EST (UTC-5) becomes EDT (UTC-4).
    const daily = item('2027-03-12T14:00:00Z', 'RRULE:FREQ=DAILY', NEW_YORK);
    expect(expand(daily, '2027-03-12T00:00:00Z', '2027-03-16T00:00:00Z')).toEqual([
      '2027-03-12T14:00:00.000Z',
      '2027-03-13T14:00:00.000Z',
      '2027-03-14T13:00:00.000Z',
      '2027-03-15T13:00:00.000Z',
    ]);
  });

  it('moves a nonexistent local time (02:30 on the Berlin spring-forward day) forward without throwing', () => {
    const withExdate = 'RRULE:FREQ=DAILY\nEXDATE:20260329T023000';
    expect(normaliseRecurrence(withExdate, BERLIN)).toBe(withExdate);
    const early = item('2026-03-27T01:30:00Z', 'RRULE:FREQ=DAILY'); // 02:30 CET
    expect(expand(early, '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z')).toEqual([
      '2026-03-27T01:30:00.000Z',
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z', // 02:30 does not exist: 03:30 CEST
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
    expect(next(early, '2026-03-28T01:30:00Z')).toBe('2026-03-29T01:30:00.000Z');
  });

  it('excludes a nonexistent local time by the instant it moved to', () => {
    const early = item('2026-03-27T01:30:00Z', 'RRULE:FREQ=DAILY;COUNT=4\nEXDATE:20260329T023000');
    expect(expand(early, '2026-03-01T00:00:00Z', '2026-04-30T00:00:00Z')).toEqual([
      '2026-03-27T01:30:00.000Z',
      '2026-03-28T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('takes the first of the two instants of a local time repeated in autumn', () => {
    const early = item('2026-10-24T00:30:00Z', 'RRULE:FREQ=DAILY'); // 02:30 CEST
    expect(expand(early, '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z')).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // 02:30 CEST, the first 02:30 that day
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('follows wall-clock time for an hourly rule, without duplicates, at both changes', () => {
    const hourly = item('2026-01-01T00:00:00Z', 'FREQ=HOURLY'); // 01:00 CET
    // 02:00 on 2027-03-28 does not exist: it moves to 03:00 CEST, which the rule also yields.
    expect(expand(hourly, '2027-03-27T23:00:00Z', '2027-03-28T03:00:00Z')).toEqual([
      '2027-03-27T23:00:00.000Z',
      '2027-03-28T00:00:00.000Z',
      '2027-03-28T01:00:00.000Z',
      '2027-03-28T02:00:00.000Z',
    ]);
    // 02:00 on 2026-10-25 happens twice: only the first counts.
    expect(expand(hourly, '2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z')).toEqual([
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ]);
  });
});

describe('EXDATE', () => {
  // Wednesdays at 09:00 Berlin (CET, UTC+1) from 2026-11-04.
  const weekly = (exdates: string): RecurringItem => item('2026-11-04T08:00:00Z', `RRULE:FREQ=WEEKLY\n${exdates}`);
  const window = ['2026-11-01T00:00:00Z', '2026-12-10T00:00:00Z'] as const;
  const all = [
    '2026-11-04T08:00:00.000Z',
    '2026-11-11T08:00:00.000Z',
    '2026-11-18T08:00:00.000Z',
    '2026-11-25T08:00:00.000Z',
    '2026-12-02T08:00:00.000Z',
    '2026-12-09T08:00:00.000Z',
  ];

  it.each([
    ['floating (wall clock in the item zone)', 'EXDATE:20261125T090000'],
    ['TZID (wall clock in that zone)', 'EXDATE;TZID=America/New_York:20261125T030000'],
    ['UTC', 'EXDATE:20261125T080000Z'],
    ['VALUE=DATE', 'EXDATE;VALUE=DATE:20261125'],
  ])('removes exactly the intended occurrence: %s', (_form, exdate) => {
    expect(expand(weekly(exdate), ...window)).toEqual(all.filter((s) => s !== '2026-11-25T08:00:00.000Z'));
  });

  it.each([
    ['TZID at 09:00 New York (14:00Z)', 'EXDATE;TZID=America/New_York:20261125T090000'],
    ['09:00 UTC', 'EXDATE:20261125T090000Z'],
    ['a date with no occurrence', 'EXDATE;VALUE=DATE:20261126'],
  ])('removes nothing for a near miss: %s', (_form, exdate) => {
    expect(expand(weekly(exdate), ...window)).toEqual(all);
  });

  it('accepts several values per line, lower case and CRLF', () => {
    const rec = item('2026-11-04T08:00:00Z', 'rrule:freq=weekly\r\nexdate:20261111T090000,20261202T080000Z\r\n');
    expect(expand(rec, ...window)).toEqual([
      '2026-11-04T08:00:00.000Z',
      '2026-11-18T08:00:00.000Z',
      '2026-11-25T08:00:00.000Z',
      '2026-12-09T08:00:00.000Z',
    ]);
  });

  it('matches VALUE=DATE against the local date in the item zone', () => {
    // 00:30 Berlin is 23:30 UTC the day before.
    const late = item('2026-11-24T23:30:00Z', 'RRULE:FREQ=DAILY\nEXDATE;VALUE=DATE:20261126');
    expect(expand(late, '2026-11-24T00:00:00Z', '2026-11-28T00:00:00Z')).toEqual([
      '2026-11-24T23:30:00.000Z',
      '2026-11-26T23:30:00.000Z',
      '2026-11-27T23:30:00.000Z',
    ]);
  });
});

describe('COUNT and UNTIL', () => {
  const wide = ['2026-01-01T00:00:00Z', '2027-12-31T00:00:00Z'] as const;

  it('stops after COUNT occurrences, across a DST change', () => {
    const rec = item('2026-10-23T07:00:00Z', 'RRULE:FREQ=DAILY;COUNT=4');
    expect(expand(rec, ...wide)).toEqual([
      '2026-10-23T07:00:00.000Z',
      '2026-10-24T07:00:00.000Z',
      '2026-10-25T08:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
    ]);
  });

  it('treats a UTC UNTIL as an inclusive instant', () => {
    const daily = (until: string) => item('2026-11-01T08:00:00Z', `RRULE:FREQ=DAILY;UNTIL=${until}`);
    expect(expand(daily('20261103T080000Z'), ...wide)).toEqual([
      '2026-11-01T08:00:00.000Z',
      '2026-11-02T08:00:00.000Z',
      '2026-11-03T08:00:00.000Z',
    ]);
    expect(expand(daily('20261103T075959Z'), ...wide)).toEqual([
      '2026-11-01T08:00:00.000Z',
      '2026-11-02T08:00:00.000Z',
    ]);
  });

  it('treats a floating UNTIL as wall clock in the item zone, and a date UNTIL as that whole local day', () => {
    const daily = (until: string) => item('2026-11-01T08:00:00Z', `RRULE:FREQ=DAILY;UNTIL=${until}`);
    expect(expand(daily('20261103T090000'), ...wide)).toEqual([
      '2026-11-01T08:00:00.000Z',
      '2026-11-02T08:00:00.000Z',
      '2026-11-03T08:00:00.000Z',
    ]);
    expect(expand(daily('20261103T085959'), ...wide)).toEqual(['2026-11-01T08:00:00.000Z', '2026-11-02T08:00:00.000Z']);
    expect(expand(daily('20261102'), ...wide)).toEqual(['2026-11-01T08:00:00.000Z', '2026-11-02T08:00:00.000Z']);
  });

  it('applies a UTC UNTIL by instant after a DST change', () => {
    // 2026-10-25 09:00 CET is 08:00Z, after UNTIL.
    const rec = item('2026-10-23T07:00:00Z', 'RRULE:FREQ=DAILY;UNTIL=20261025T075959Z');
    expect(expand(rec, ...wide)).toEqual(['2026-10-23T07:00:00.000Z', '2026-10-24T07:00:00.000Z']);
  });
});

describe('expandOccurrences', () => {
  it('yields a non-recurring item when it overlaps the window', () => {
    const once = item('2026-11-25T08:00:00Z', null, BERLIN, '2026-11-25T09:00:00Z');
    const occurrences = expandOccurrences(once, new Date('2026-11-25T08:30:00Z'), new Date('2026-11-25T08:45:00Z'));
    expect(occurrences.map((o) => [o.start.toISOString(), o.end.toISOString()])).toEqual([
      ['2026-11-25T08:00:00.000Z', '2026-11-25T09:00:00.000Z'],
    ]);
    expect(expand(once, '2026-11-25T09:00:00Z', '2026-11-26T00:00:00Z')).toEqual([]);
    expect(expand(once, '2026-11-24T00:00:00Z', '2026-11-25T08:00:00Z')).toEqual([]);
    expect(expand({ ...once, recurrenceRule: '  ' }, '2026-11-25T00:00:00Z', '2026-11-26T00:00:00Z')).toEqual([
      '2026-11-25T08:00:00.000Z',
    ]);
  });

  it('uses [from, to) on the start of a zero-duration item', () => {
    const once = item('2026-11-25T08:00:00Z', null);
    expect(expand(once, '2026-11-25T08:00:00Z', '2026-11-25T09:00:00Z')).toEqual(['2026-11-25T08:00:00.000Z']);
    expect(expand(once, '2026-11-25T07:00:00Z', '2026-11-25T08:00:00Z')).toEqual([]);
  });

  it('includes occurrences that started before the window but are still running', () => {
    const daily = item('2026-11-01T08:00:00Z', 'RRULE:FREQ=DAILY', BERLIN, '2026-11-01T09:00:00Z');
    expect(expand(daily, '2026-11-03T08:30:00Z', '2026-11-05T08:30:00Z')).toEqual([
      '2026-11-03T08:00:00.000Z',
      '2026-11-04T08:00:00.000Z',
      '2026-11-05T08:00:00.000Z',
    ]);
    // An occurrence that ends exactly at `from` does not overlap.
    expect(expand(daily, '2026-11-03T09:00:00Z', '2026-11-05T08:00:00Z')).toEqual(['2026-11-04T08:00:00.000Z']);
  });

  it('includes a multi-day occurrence that spans the whole window', () => {
    const long = item('2026-11-02T08:00:00Z', 'RRULE:FREQ=WEEKLY', BERLIN, '2026-11-05T08:00:00Z');
    const occurrences = expandOccurrences(long, new Date('2026-11-11T00:00:00Z'), new Date('2026-11-12T00:00:00Z'));
    expect(occurrences.map((o) => [o.start.toISOString(), o.end.toISOString()])).toEqual([
      ['2026-11-09T08:00:00.000Z', '2026-11-12T08:00:00.000Z'],
    ]);
  });

  it('returns at most `limit` occurrences, 1000 by default', () => {
    const daily = item('2026-11-01T08:00:00Z', 'RRULE:FREQ=DAILY');
    expect(expand(daily, '2026-11-01T00:00:00Z', '2027-11-01T00:00:00Z', 3)).toEqual([
      '2026-11-01T08:00:00.000Z',
      '2026-11-02T08:00:00.000Z',
      '2026-11-03T08:00:00.000Z',
    ]);
    expect(expand(daily, '2026-11-01T00:00:00Z', '2027-11-01T00:00:00Z', 0)).toEqual([]);
    const many = expand(daily, '2026-11-01T00:00:00Z', '2030-01-01T00:00:00Z');
    expect(many).toHaveLength(1000);
    expect(many[999]).toBe('2029-07-27T07:00:00.000Z');
  });

  it('agrees for an old rule with no end (where DTSTART is moved forward) and the same rule with COUNT', () => {
    const rule = 'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH';
    const expected = [
      '2026-10-20T07:00:00.000Z',
      '2026-10-22T07:00:00.000Z',
      '2026-11-03T08:00:00.000Z',
      '2026-11-05T08:00:00.000Z',
    ];
    const window = ['2026-10-19T00:00:00Z', '2026-11-10T00:00:00Z'] as const;
    expect(expand(item('2020-01-07T08:00:00Z', rule), ...window)).toEqual(expected);
    expect(expand(item('2020-01-07T08:00:00Z', `${rule};COUNT=100000`), ...window)).toEqual(expected);
  });

  it('keeps the phase of an INTERVAL on an old sub-daily rule', () => {
    const every5h = item('2020-01-01T00:00:00Z', 'FREQ=HOURLY;INTERVAL=5', 'UTC');
    expect(expand(every5h, '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z')).toEqual([
      '2026-06-01T03:00:00.000Z',
      '2026-06-01T08:00:00.000Z',
      '2026-06-01T13:00:00.000Z',
      '2026-06-01T18:00:00.000Z',
      '2026-06-01T23:00:00.000Z',
    ]);
  });

  it('does not yield a start that does not match the rule (rrule semantics)', () => {
    // Tuesday 2026-11-03 09:00 with BYDAY=MO,WE: RFC 5545 leaves this undefined; rrule skips the Tuesday.
    const offRule = item('2026-11-03T08:00:00Z', 'FREQ=WEEKLY;BYDAY=MO,WE');
    expect(expand(offRule, '2026-11-01T00:00:00Z', '2026-11-10T00:00:00Z')).toEqual([
      '2026-11-04T08:00:00.000Z',
      '2026-11-09T08:00:00.000Z',
    ]);
  });

  it('rejects an invalid time zone on the item', () => {
    const error = badInput(() =>
      expand(item('2026-11-01T08:00:00Z', 'FREQ=DAILY', 'Mars/Olympus'), '2026-11-01', '2026-12-01'),
    );
    expect(error.message).toBe('timeZone is not a valid IANA time zone');
  });
});

describe('nextOccurrenceAfter', () => {
  const meeting = item('2026-10-14T07:00:00Z', 'RRULE:FREQ=WEEKLY'); // Wednesdays 09:00 Berlin

  it('returns the first start strictly after the given instant, around the DST change', () => {
    expect(next(meeting, '2026-01-01T00:00:00Z')).toBe('2026-10-14T07:00:00.000Z');
    expect(next(meeting, '2026-10-21T06:59:59.999Z')).toBe('2026-10-21T07:00:00.000Z');
    expect(next(meeting, '2026-10-21T07:00:00Z')).toBe('2026-10-28T08:00:00.000Z');
    // 07:30Z is after 09:00 CEST but before 09:00 CET.
    expect(next(meeting, '2026-10-28T07:30:00Z')).toBe('2026-10-28T08:00:00.000Z');
    expect(next(meeting, '2026-10-28T08:00:00Z')).toBe('2026-11-04T08:00:00.000Z');
  });

  it('returns null after the last occurrence', () => {
    const counted = item('2026-11-01T08:00:00Z', 'RRULE:FREQ=DAILY;COUNT=3');
    expect(next(counted, '2026-11-03T07:59:59Z')).toBe('2026-11-03T08:00:00.000Z');
    expect(next(counted, '2026-11-03T08:00:00Z')).toBeNull();
    const until = item('2026-11-01T08:00:00Z', 'RRULE:FREQ=DAILY;UNTIL=20261103T080000Z');
    expect(next(until, '2026-11-02T08:00:00Z')).toBe('2026-11-03T08:00:00.000Z');
    expect(next(until, '2026-11-03T08:00:00Z')).toBeNull();
  });

  it('skips excluded occurrences', () => {
    const rec = item('2026-11-04T08:00:00Z', 'RRULE:FREQ=WEEKLY\nEXDATE:20261125T090000');
    expect(next(rec, '2026-11-18T08:00:00Z')).toBe('2026-12-02T08:00:00.000Z');
  });

  it('handles a non-recurring item', () => {
    const once = item('2026-11-25T08:00:00Z', null);
    expect(next(once, '2026-11-25T07:59:59Z')).toBe('2026-11-25T08:00:00.000Z');
    expect(next(once, '2026-11-25T08:00:00Z')).toBeNull();
  });

  it('is quick for old rules with no end, also at a DST change', () => {
    // Walking these from DTSTART takes rrule tens of seconds; jest cannot time out synchronous code.
    const started = performance.now();
    const hourly = item('2001-01-01T00:00:00Z', 'FREQ=HOURLY');
    expect(next(hourly, '2027-03-28T00:30:00Z')).toBe('2027-03-28T01:00:00.000Z');
    expect(next(hourly, '2027-03-28T01:00:00Z')).toBe('2027-03-28T02:00:00.000Z');
    const every7min = item('2000-01-01T00:00:00Z', 'FREQ=MINUTELY;INTERVAL=7', 'UTC');
    expect(next(every7min, '2030-06-15T12:00:00Z')).toBe('2030-06-15T12:01:00.000Z');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('gives up on a rule that never matches', () => {
    const never = item('2026-01-01T08:00:00Z', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30');
    expect(next(never, '2026-01-01T00:00:00Z')).toBeNull();
  });
});

describe('recurrenceParts', () => {
  it('returns nulls for a non-recurring item', () => {
    expect(recurrenceParts(item('2026-11-25T08:00:00Z', null))).toEqual({ rrule: null, exdates: [] });
  });

  it('gives the RRULE with UNTIL in UTC and every EXDATE as an instant', () => {
    const rec = item(
      '2026-11-04T08:00:00Z',
      [
        'RRULE:FREQ=WEEKLY;UNTIL=20261230T090000',
        'EXDATE:20261125T090000',
        'EXDATE;VALUE=DATE:20261209',
        'EXDATE:20261118T080000Z',
        'EXDATE;TZID=America/New_York:20261202T030000',
      ].join('\n'),
    );
    const parts = recurrenceParts(rec);
    expect(parts.rrule).toBe('FREQ=WEEKLY;UNTIL=20261230T080000Z');
    expect(parts.exdates.map((d) => d.toISOString())).toEqual([
      '2026-11-18T08:00:00.000Z',
      '2026-11-25T08:00:00.000Z',
      '2026-12-02T08:00:00.000Z',
      '2026-12-09T08:00:00.000Z',
    ]);
  });

  it('turns a date UNTIL into the end of that local day in UTC', () => {
    expect(recurrenceParts(item('2026-11-04T08:00:00Z', 'FREQ=DAILY;UNTIL=20261230')).rrule).toBe(
      'FREQ=DAILY;UNTIL=20261230T225959Z',
    );
    expect(recurrenceParts(item('2026-11-04T08:00:00Z', 'FREQ=DAILY;UNTIL=20261230T120000Z')).rrule).toBe(
      'FREQ=DAILY;UNTIL=20261230T120000Z',
    );
  });
});

describe('normaliseRecurrence', () => {
  it.each([
    ['freq=weekly;byday=mo', 'RRULE:FREQ=WEEKLY;BYDAY=MO'],
    ['RRULE:BYDAY=MO;FREQ=WEEKLY\r\nexdate:20261125t090000\r\n', 'RRULE:FREQ=WEEKLY;BYDAY=MO\nEXDATE:20261125T090000'],
    ['RRULE:FREQ=MONTHLY;BYDAY=+1MO,-1FR;INTERVAL=02', 'RRULE:FREQ=MONTHLY;BYDAY=1MO,-1FR;INTERVAL=2'],
    [
      'RRULE:FREQ=DAILY;COUNT=5\nEXDATE;tzid="America/New_York";value=DATE-TIME:20261125T030000\nEXDATE;VALUE=DATE:20261126',
      'RRULE:FREQ=DAILY;COUNT=5\nEXDATE;TZID=America/New_York:20261125T030000\nEXDATE;VALUE=DATE:20261126',
    ],
    [
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;BYHOUR=2;BYMINUTE=30',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;BYHOUR=2;BYMINUTE=30',
    ],
  ])('normalises %j', (input, expected) => {
    expect(normaliseRecurrence(input, BERLIN)).toBe(expected);
  });

  it.each([
    ['a malformed FREQ', 'FREQ=FORTNIGHTLY', /invalid FREQ "FORTNIGHTLY"/],
    ['no FREQ', 'BYDAY=MO', /has no FREQ/],
    ['COUNT and UNTIL together', 'FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z', /both COUNT and UNTIL/],
    ['an unknown part', 'FREQ=DAILY;FOO=1', /unknown RRULE part FOO/],
    ['a part without a value', 'FREQ=DAILY;COUNT', /malformed RRULE part "COUNT"/],
    ['a repeated part', 'FREQ=DAILY;FREQ=WEEKLY', /repeats the RRULE part FREQ/],
    ['a bad BYMONTH', 'FREQ=YEARLY;BYMONTH=13', /invalid BYMONTH value "13"/],
    ['a bad BYDAY', 'FREQ=WEEKLY;BYDAY=MO,XX', /invalid BYDAY value "XX"/],
    ['a zero INTERVAL', 'FREQ=DAILY;INTERVAL=0', /invalid INTERVAL "0"/],
    ['a bad UNTIL', 'FREQ=DAILY;UNTIL=20270230T000000Z', /invalid UNTIL/],
    ['a numbered BYDAY in a weekly rule', 'FREQ=WEEKLY;BYDAY=1MO', /numbered BYDAY/],
    ['BYSETPOS alone', 'FREQ=MONTHLY;BYSETPOS=1', /BYSETPOS together/],
    ['BYMONTHDAY in a weekly rule', 'FREQ=WEEKLY;BYMONTHDAY=1', /BYMONTHDAY with FREQ=WEEKLY/],
    ['a garbage line', 'RRULE:FREQ=DAILY\nthis is not a rule', /unsupported line "this is not a rule"/],
    ['a second RRULE', 'RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY', /only have one RRULE/],
    ['only an EXDATE', 'EXDATE:20261125T090000', /no RRULE line/],
    ['an empty text', '', /no RRULE line/],
    ['an EXDATE with dashes', 'RRULE:FREQ=DAILY\nEXDATE:2026-11-25', /invalid EXDATE value "2026-11-25"/],
    ['an EXDATE on an impossible date', 'RRULE:FREQ=DAILY\nEXDATE:20261131T090000', /invalid EXDATE value/],
    ['an EXDATE with a bad TZID', 'RRULE:FREQ=DAILY\nEXDATE;TZID=Mars/Olympus:20261125T090000', /TZID "Mars\/Olympus"/],
    ['an EXDATE with TZID and Z', 'RRULE:FREQ=DAILY\nEXDATE;TZID=Europe/Berlin:20261125T090000Z', /invalid EXDATE/],
    ['a date-time in EXDATE;VALUE=DATE', 'RRULE:FREQ=DAILY\nEXDATE;VALUE=DATE:20261125T090000', /invalid EXDATE/],
    ['an unknown EXDATE parameter', 'RRULE:FREQ=DAILY\nEXDATE;FOO=BAR:20261125T090000', /EXDATE parameter/],
  ])('rejects %s', (_problem, input, message) => {
    const error = badInput(() => normaliseRecurrence(input, BERLIN));
    expect(error.message).toMatch(message);
    expect(error.code).toBe('BAD_USER_INPUT');
  });

  it.each(['Not/AZone', '+01:00', 'local', '', 'Europe/Berlin '])('rejects the time zone %j', (timeZone) => {
    expect(badInput(() => normaliseRecurrence('FREQ=DAILY', timeZone)).message).toBe(
      'timeZone is not a valid IANA time zone',
    );
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names and rejects the rest', () => {
    expect(['Europe/Berlin', 'America/New_York', 'UTC', 'America/Argentina/Buenos_Aires'].map(isValidTimeZone)).toEqual(
      [true, true, true, true],
    );
    expect(['Mars/Olympus', '+01:00', 'UTC+3', 'system', ''].map(isValidTimeZone)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
