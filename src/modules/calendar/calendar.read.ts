import type { ScopedQuery } from '../../common/reader';

/** The columns of a `CalendarItem` node, aliased to its fields. */
export const selectCalendarItem = (q: ScopedQuery<'calendar_items'>) =>
  q.select([
    'calendar_items.id',
    'calendar_items.type',
    'calendar_items.title',
    'calendar_items.description',
    'calendar_items.start_time as startTime',
    'calendar_items.end_time as endTime',
    'calendar_items.estimated_duration as estimatedDuration',
    'calendar_items.progress_percent as progressPercent',
    'calendar_items.recurrence_rule as recurrenceRule',
    'calendar_items.time_zone as timeZone',
    'calendar_items.location',
    'calendar_items.status',
    'calendar_items.completed_at as completedAt',
    'calendar_items.created_at as createdAt',
    'calendar_items.updated_at as updatedAt',
    'calendar_items.user_id as userId',
  ]);
