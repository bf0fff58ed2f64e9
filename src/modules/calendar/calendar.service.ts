import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderDirection, toSortDirection } from '../../common/order';
import { paginate, type Connection } from '../../common/pagination';
import { projectColumns, type ProjectionSpec } from '../../common/projection';
import { Topic, type AppPubSub } from '../../common/pubsub';
import type { Reader } from '../../common/reader';
import { toDate } from '../../common/scalars';
import type { Viewer } from '../../context';
import { CalendarItem } from './calendar-item.entity';
import { CalendarItemStatus } from './calendar.enums';
import { CalendarItemNotFoundError, InvalidCalendarItemError } from './calendar.errors';
import {
  CalendarItemOrderField,
  type CalendarItemFilter,
  type CalendarItemOrder,
  type CreateCalendarItemInput,
  type UpdateCalendarItemInput,
} from './calendar.inputs';
import { CALENDAR_ITEM_COLUMNS, CALENDAR_ITEM_NEEDS, selectCalendarItem } from './calendar.read';
import { CalendarItemChange, type AgendaEntryNode, type CalendarItemNode, type OccurrenceNode } from './calendar.types';
import { expandOccurrences, isValidTimeZone, normaliseRecurrence } from './recurrence';

const ITEM_SORT = {
  [CalendarItemOrderField.START_TIME]: { column: 'calendar_items.start_time', field: 'startTime' },
  [CalendarItemOrderField.CREATED_AT]: { column: 'calendar_items.created_at', field: 'createdAt' },
  [CalendarItemOrderField.TITLE]: { column: 'calendar_items.title', field: 'title' },
} as const;

/** What a page of items reads, by the field it is sorted on (which the cursor needs). */
const ITEM_PROJECTIONS: Record<string, ProjectionSpec<string>> = Object.fromEntries(
  Object.values(ITEM_SORT).map(({ field }) => [
    field,
    { columns: CALENDAR_ITEM_COLUMNS, needs: CALENDAR_ITEM_NEEDS, always: ['id', field] },
  ]),
);

const MAX_WINDOW_DAYS = 366;
const MAX_AGENDA_ENTRIES = 5000;

/** What an update changed, for the trigger engine. */
export interface CalendarItemUpdate {
  item: CalendarItem;
  previousProgress: number;
  timingChanged: boolean;
}

/** A user's calendar items: the rules of their fields, recurrence, and the viewer's lists. */
export class CalendarService {
  constructor(
    private readonly em: EntityManager,
    private readonly pubSub: AppPubSub,
  ) {}

  async create(viewer: Viewer, input: CreateCalendarItemInput): Promise<CalendarItem> {
    const item = this.em.create(CalendarItem, {
      workspace: viewer.workspaceId,
      user: viewer.id,
      type: input.type,
      title: input.title.trim(),
      description: input.description ?? null,
      startTime: input.startTime ?? null,
      endTime: input.endTime ?? null,
      estimatedDuration: input.estimatedDuration ?? null,
      progressPercent: input.progressPercent ?? 0,
      recurrenceRule: input.recurrenceRule ?? null,
      timeZone: input.timeZone ?? 'UTC',
      location: input.location ?? null,
      status: input.status ?? CalendarItemStatus.PENDING,
    });
    applyRules(item, input.status != null);
    await this.em.flush();
    this.publish(viewer, item.id, CalendarItemChange.CREATED);
    return item;
  }

  async update(viewer: Viewer, input: UpdateCalendarItemInput): Promise<CalendarItemUpdate> {
    const item = await this.findOwn(viewer, input.id);
    const previousProgress = item.progressPercent;
    const timing = [item.startTime?.getTime(), item.recurrenceRule, item.timeZone].join('|');
    const set = <K extends keyof UpdateCalendarItemInput & keyof CalendarItem>(key: K, required = false) => {
      const value = input[key];
      if (value === undefined) return;
      if (value === null && required) throw new InvalidCalendarItemError(`${key} cannot be null`);
      (item as unknown as Record<string, unknown>)[key] = value;
    };
    set('type', true);
    set('title', true);
    set('description');
    set('startTime');
    set('endTime');
    set('estimatedDuration');
    set('progressPercent', true);
    set('recurrenceRule');
    set('timeZone', true);
    set('location');
    set('status', true);
    if (typeof input.title === 'string') item.title = input.title.trim();
    applyRules(item, input.status != null);
    await this.em.flush();
    this.publish(viewer, item.id, CalendarItemChange.UPDATED);
    const timingChanged = timing !== [item.startTime?.getTime(), item.recurrenceRule, item.timeZone].join('|');
    return { item, previousProgress, timingChanged };
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const item = await this.findOwn(viewer, id);
    this.em.remove(item);
    await this.em.flush();
    this.publish(viewer, id, CalendarItemChange.DELETED);
    return true;
  }

  /** The viewer's own item (tenant filter, then owner check), for writes. */
  async findOwn(viewer: Viewer, id: string): Promise<CalendarItem> {
    const item = await this.em.findOne(CalendarItem, { id, user: viewer.id });
    if (!item) throw new CalendarItemNotFoundError(id);
    return item;
  }

  get(reader: Reader, viewer: Viewer, id: string): Promise<CalendarItemNode | undefined> {
    return ownItems(reader, viewer).where('calendar_items.id', '=', id).executeTakeFirst();
  }

  /** A page of the viewer's items, reading only the columns of `requested` fields (all when absent). */
  list(
    reader: Reader,
    viewer: Viewer,
    page: { first: number; after?: string | null },
    filter: CalendarItemFilter | null | undefined,
    order: CalendarItemOrder | null | undefined,
    requested?: Set<string>,
  ): Promise<Connection<CalendarItemNode>> {
    const sortField = ITEM_SORT[order?.field ?? CalendarItemOrderField.START_TIME].field;
    let query = requested
      ? (reader
          .from('calendar_items')
          .select(projectColumns(requested, ITEM_PROJECTIONS[sortField]) as never)
          .where('calendar_items.user_id', '=', viewer.id) as unknown as ReturnType<typeof ownItems>)
      : ownItems(reader, viewer);
    if (filter?.type) query = query.where('calendar_items.type', '=', filter.type);
    if (filter?.status) query = query.where('calendar_items.status', '=', filter.status);
    if (filter?.to) query = query.where('calendar_items.start_time', '<', filter.to);
    if (filter?.from) {
      const from = filter.from;
      query = query.where((eb) =>
        eb.or([
          eb('calendar_items.recurrence_rule', 'is not', null),
          eb(eb.fn.coalesce('calendar_items.end_time', 'calendar_items.start_time'), '>=', from),
        ]),
      );
    }
    const text = filter?.text?.trim();
    if (text) query = query.where('calendar_items.title', 'ilike', `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const sort = ITEM_SORT[order?.field ?? CalendarItemOrderField.START_TIME];
    if (sort.field === 'startTime') query = query.where('calendar_items.start_time', 'is not', null);
    return paginate({
      query,
      idColumn: 'calendar_items.id',
      sort: { ...sort, direction: toSortDirection(order?.direction ?? OrderDirection.ASC) },
      first: page.first,
      after: page.after,
    });
  }

  /** Occurrences of one item overlapping [from, to). */
  occurrences(item: CalendarItemNode, from: Date, to: Date): OccurrenceNode[] {
    checkWindow(from, to);
    if (!item.startTime) return [];
    return expandOccurrences(asRecurring(item), from, to, MAX_AGENDA_ENTRIES);
  }

  /** Every occurrence of every item of the viewer overlapping [from, to), in order. */
  async agenda(reader: Reader, viewer: Viewer, from: Date, to: Date): Promise<AgendaEntryNode[]> {
    checkWindow(from, to);
    const items = await ownItems(reader, viewer)
      .where('calendar_items.start_time', '<', to)
      .where((eb) =>
        eb.or([
          eb('calendar_items.recurrence_rule', 'is not', null),
          eb(eb.fn.coalesce('calendar_items.end_time', 'calendar_items.start_time'), '>=', from),
        ]),
      )
      .execute();
    const entries: AgendaEntryNode[] = [];
    for (const item of items) {
      for (const occurrence of expandOccurrences(asRecurring(item), from, to, MAX_AGENDA_ENTRIES)) {
        entries.push({ ...occurrence, item });
      }
    }
    entries.sort((a, b) => a.start.getTime() - b.start.getTime() || a.item.id.localeCompare(b.item.id));
    return entries.slice(0, MAX_AGENDA_ENTRIES);
  }

  private publish(viewer: Viewer, itemId: string, change: CalendarItemChange): void {
    this.pubSub.publish(Topic.CalendarItemChanged, {
      workspaceId: viewer.workspaceId,
      userId: viewer.id,
      itemId,
      change,
    });
  }
}

/** The viewer's own items: calendars are personal within a workspace. */
export function ownItems(reader: Reader, viewer: Viewer) {
  return selectCalendarItem(reader.from('calendar_items')).where('calendar_items.user_id', '=', viewer.id);
}

export function asRecurring(item: Pick<CalendarItemNode, 'startTime' | 'endTime' | 'timeZone' | 'recurrenceRule'>) {
  return {
    startTime: toDate(item.startTime as Date),
    endTime: item.endTime ? toDate(item.endTime) : null,
    timeZone: item.timeZone,
    recurrenceRule: item.recurrenceRule,
  };
}

function checkWindow(from: Date, to: Date): void {
  if (to.getTime() <= from.getTime()) throw new InvalidCalendarItemError('to must be after from');
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
    throw new InvalidCalendarItemError(`the window can span at most ${MAX_WINDOW_DAYS} days`);
  }
}

/** The rules every write must keep, applied after the input. */
function applyRules(item: CalendarItem, statusGiven: boolean): void {
  if (!isValidTimeZone(item.timeZone)) {
    throw new InvalidCalendarItemError('timeZone is not a valid IANA time zone');
  }
  if (item.startTime && item.endTime && item.endTime.getTime() < item.startTime.getTime()) {
    throw new InvalidCalendarItemError('endTime cannot be before startTime');
  }
  if (item.recurrenceRule != null) {
    if (item.recurrenceRule.trim() === '') {
      item.recurrenceRule = null;
    } else {
      if (!item.startTime) throw new InvalidCalendarItemError('a recurring item needs a startTime');
      item.recurrenceRule = normaliseRecurrence(item.recurrenceRule, item.timeZone);
    }
  }
  // Reaching 100 % completes the item unless a status was given explicitly.
  if (item.progressPercent === 100 && !statusGiven) item.status = CalendarItemStatus.COMPLETED;
  if (item.status === CalendarItemStatus.COMPLETED) {
    item.completedAt ??= new Date();
  } else {
    item.completedAt = null;
  }
}

/** The GraphQL node of an item just written. */
export function toCalendarItemNode(item: CalendarItem): CalendarItemNode {
  return {
    id: item.id,
    type: item.type,
    title: item.title,
    description: item.description ?? null,
    startTime: item.startTime ?? null,
    endTime: item.endTime ?? null,
    estimatedDuration: item.estimatedDuration ?? null,
    progressPercent: item.progressPercent,
    recurrenceRule: item.recurrenceRule ?? null,
    timeZone: item.timeZone,
    location: item.location ?? null,
    status: item.status,
    completedAt: item.completedAt ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    userId: item.user.id,
  };
}
