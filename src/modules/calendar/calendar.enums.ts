import { registerEnumType } from 'type-graphql';

export enum CalendarItemType {
  EVENT = 'EVENT',
  TASK = 'TASK',
  REMINDER = 'REMINDER',
}

export enum CalendarItemStatus {
  PENDING = 'PENDING',
  ACTIVE = 'ACTIVE',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
}

registerEnumType(CalendarItemType, { name: 'CalendarItemType' });
registerEnumType(CalendarItemStatus, { name: 'CalendarItemStatus' });
