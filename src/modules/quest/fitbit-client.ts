import { fitbitError } from './oauth-providers';
import { asRecord, jsonBody, send } from './provider-http';
import { ProviderError } from './quest.errors';

/** One day of a Fitbit user, in their own time zone, with the items it was read from. */
export interface FitbitDay {
  date: string;
  steps: number | null;
  /** Fairly + very active minutes. */
  activeMinutes: number | null;
  /** Minutes asleep of the sleep logs ending on this date (naps included). */
  sleepMinutes: number | null;
  /** What Fitbit answered for this date. */
  raw: Record<string, unknown>;
  /** Values Fitbit answered that are not numbers. */
  problems: string[];
}

const SERIES = {
  steps: 'activities-steps',
  minutesFairlyActive: 'activities-minutesFairlyActive',
  minutesVeryActive: 'activities-minutesVeryActive',
} as const;

/** The parts of the Fitbit Web API the sync reads: activity time series and sleep logs, by date range. */
export class FitbitClient {
  constructor(
    private readonly apiUrl: string,
    private readonly accessToken: string,
  ) {}

  /** Every date in [start, end] (`YYYY-MM-DD`), in four requests whatever the number of days. */
  async days(start: string, end: string): Promise<FitbitDay[]> {
    const [steps, fairly, very, sleep] = await Promise.all([
      this.series('steps', start, end),
      this.series('minutesFairlyActive', start, end),
      this.series('minutesVeryActive', start, end),
      this.get(`/1.2/user/-/sleep/date/${start}/${end}.json`),
    ]);
    const logs = Array.isArray(sleep.sleep) ? sleep.sleep.map(asRecord) : [];
    const days: FitbitDay[] = [];
    for (const date of dateRange(start, end)) {
      const problems: string[] = [];
      const number = (what: string, value: unknown): number | null => {
        if (value === undefined) return null;
        const n = Number(value);
        if (!Number.isFinite(n) || n < 0) {
          problems.push(`${what} of ${date} is not a number: ${JSON.stringify(value)}`);
          return null;
        }
        return Math.round(n);
      };
      const stepItem = steps.get(date);
      const fairlyItem = fairly.get(date);
      const veryItem = very.get(date);
      const sleepLogs = logs.filter((log) => log.dateOfSleep === date);
      const fairlyMinutes = number('minutesFairlyActive', fairlyItem?.value);
      const veryMinutes = number('minutesVeryActive', veryItem?.value);
      const asleep = sleepLogs.map((log) => number('minutesAsleep', log.minutesAsleep));
      days.push({
        date,
        steps: number('steps', stepItem?.value),
        activeMinutes:
          fairlyMinutes === null && veryMinutes === null ? null : (fairlyMinutes ?? 0) + (veryMinutes ?? 0),
        sleepMinutes: sleepLogs.length === 0 ? null : asleep.reduce<number>((sum, n) => sum + (n ?? 0), 0),
        raw: {
          date,
          [SERIES.steps]: stepItem ?? null,
          [SERIES.minutesFairlyActive]: fairlyItem ?? null,
          [SERIES.minutesVeryActive]: veryItem ?? null,
          sleep: sleepLogs,
        },
        problems,
      });
    }
    return days;
  }

  /** `GET /1/user/-/activities/<resource>/date/<start>/<end>.json`, by date. */
  private async series(resource: keyof typeof SERIES, start: string, end: string) {
    const body = await this.get(`/1/user/-/activities/${resource}/date/${start}/${end}.json`);
    const items = body[SERIES[resource]];
    if (!Array.isArray(items)) throw new ProviderError(`Fitbit ${resource}: no "${SERIES[resource]}" in the answer`);
    const byDate = new Map<string, Record<string, unknown>>();
    for (const item of items.map(asRecord)) {
      if (typeof item.dateTime === 'string') byDate.set(item.dateTime, item);
    }
    return byDate;
  }

  private async get(path: string): Promise<Record<string, unknown>> {
    const response = await send(`${this.apiUrl}${path}`, {
      headers: { accept: 'application/json', authorization: `Bearer ${this.accessToken}`, 'accept-language': 'en_US' },
    });
    const body = asRecord(await jsonBody(response, `Fitbit ${path}`));
    if (!response.ok) throw fitbitError(response, body, `Fitbit ${path}`);
    return body;
  }
}

/** `2026-11-01`, `2026-11-03` → the three dates. */
export function dateRange(start: string, end: string): string[] {
  const dates: string[] = [];
  for (let day = new Date(`${start}T00:00:00Z`); day.toISOString().slice(0, 10) <= end;) {
    dates.push(day.toISOString().slice(0, 10));
    day = new Date(day.getTime() + 86_400_000);
    if (dates.length > 400) break;
  }
  return dates;
}
