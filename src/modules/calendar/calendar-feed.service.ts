import { randomBytes } from 'node:crypto';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Viewer } from '../../context';
import type { DB } from '../../db/tables';
import { toDate } from '../../common/scalars';
import { CalendarItemStatus } from './calendar.enums';
import { asRecurring } from './calendar.service';
import { recurrenceParts } from './recurrence';

const MAX_FEED_ITEMS = 5000;

function newFeedToken(): string {
  return randomBytes(24).toString('base64url');
}

function feedUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, '')}/calendar/${token}.ics`;
}

/** Each user's secret iCalendar feed of their items, with recurrence and exceptions. */
export class CalendarFeedService {
  constructor(private readonly db: Kysely<DB>) {}

  /** The viewer's feed address, created on first use. */
  async url(viewer: Viewer, baseUrl: string): Promise<string> {
    await this.db
      .insertInto('calendar_feeds')
      .values({
        id: crypto.randomUUID(),
        workspace_id: viewer.workspaceId,
        user_id: viewer.id,
        token: newFeedToken(),
        created_at: new Date(),
        updated_at: new Date(),
      })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
    const feed = await this.db
      .selectFrom('calendar_feeds')
      .select('token')
      .where('user_id', '=', viewer.id)
      .where('workspace_id', '=', viewer.workspaceId)
      .executeTakeFirstOrThrow();
    return feedUrl(baseUrl, feed.token);
  }

  /** A new address; the old one stops working. */
  async rotate(viewer: Viewer, baseUrl: string): Promise<string> {
    await this.url(viewer, baseUrl);
    const token = newFeedToken();
    await this.db
      .updateTable('calendar_feeds')
      .set({ token, updated_at: new Date() })
      .where('user_id', '=', viewer.id)
      .where('workspace_id', '=', viewer.workspaceId)
      .execute();
    return feedUrl(baseUrl, token);
  }

  /** The iCalendar text of the feed with this token, or null for an unknown token. */
  async render(token: string): Promise<string | null> {
    const feed = await this.db
      .selectFrom('calendar_feeds')
      .select(['user_id', 'workspace_id'])
      .where('token', '=', token)
      .executeTakeFirst();
    if (!feed) return null;
    const items = await this.db
      .selectFrom('calendar_items')
      .selectAll()
      .where('workspace_id', '=', feed.workspace_id)
      .where('user_id', '=', feed.user_id)
      .where('start_time', 'is not', null)
      .orderBy('start_time')
      .limit(MAX_FEED_ITEMS)
      .execute();
    const calendar = ical({
      name: 'HomeOS',
      prodId: { company: 'HomeOS', product: 'HomeOS API', language: 'EN' },
      method: ICalCalendarMethod.PUBLISH,
    });
    for (const item of items) {
      const recurring = asRecurring({
        startTime: item.start_time!,
        endTime: item.end_time,
        timeZone: item.time_zone,
        recurrenceRule: item.recurrence_rule,
      });
      const start = recurring.startTime;
      const end = item.end_time
        ? toDate(item.end_time)
        : new Date(start.getTime() + (item.estimated_duration ?? 0) * 60_000);
      const { rrule, exdates } = recurrenceParts(recurring);
      const lines = rrule
        ? [`RRULE:${rrule}`, ...(exdates.length ? [`EXDATE:${exdates.map(formatUtc).join(',')}`] : [])]
        : [];
      // luxon values: ical-generator writes them in the item's zone (a Date would use the process's zone)
      calendar.createEvent({
        id: item.id,
        start: DateTime.fromJSDate(start, { zone: item.time_zone }),
        end: DateTime.fromJSDate(end, { zone: item.time_zone }),
        timezone: item.time_zone,
        summary: item.title,
        description: item.description,
        location: item.location,
        status: item.status === CalendarItemStatus.CANCELLED ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
        repeating: lines.length ? lines.join('\n') : null,
        created: toDate(item.created_at),
        lastModified: toDate(item.updated_at),
        stamp: toDate(item.updated_at),
      });
    }
    return calendar.toString();
  }
}

function formatUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
