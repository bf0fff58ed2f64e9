import type { ScopedQuery } from '../../common/reader';

/** Each field of a `CalendarItem` node (and the hidden `userId`) and its column. */
export const CALENDAR_ITEM_COLUMNS = {
  id: 'calendar_items.id',
  type: 'calendar_items.type',
  title: 'calendar_items.title',
  description: 'calendar_items.description',
  startTime: 'calendar_items.start_time as startTime',
  endTime: 'calendar_items.end_time as endTime',
  estimatedDuration: 'calendar_items.estimated_duration as estimatedDuration',
  progressPercent: 'calendar_items.progress_percent as progressPercent',
  recurrenceRule: 'calendar_items.recurrence_rule as recurrenceRule',
  timeZone: 'calendar_items.time_zone as timeZone',
  location: 'calendar_items.location',
  status: 'calendar_items.status',
  completedAt: 'calendar_items.completed_at as completedAt',
  createdAt: 'calendar_items.created_at as createdAt',
  updatedAt: 'calendar_items.updated_at as updatedAt',
  userId: 'calendar_items.user_id as userId',
} as const;

/** Hidden fields that computed fields of `CalendarItem` read. */
export const CALENDAR_ITEM_NEEDS = {
  occurrences: ['startTime', 'endTime', 'timeZone', 'recurrenceRule'],
  owner: ['userId'],
};

/** The columns of a `CalendarItem` node, aliased to its fields. */
export const selectCalendarItem = (q: ScopedQuery<'calendar_items'>) => q.select(Object.values(CALENDAR_ITEM_COLUMNS));
