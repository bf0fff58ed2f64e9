import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import { CalendarItemStatus, CalendarItemType } from './calendar.enums';

@ObjectType('CalendarItem', { simpleResolvers: true, description: 'An event, task or reminder of the viewer' })
export class CalendarItemNode {
  @Field(() => ID)
  id!: string;

  @Field(() => CalendarItemType)
  type!: CalendarItemType;

  @Field()
  title!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Date, { nullable: true })
  startTime!: Date | null;

  @Field(() => Date, { nullable: true })
  endTime!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Minutes' })
  estimatedDuration!: number | null;

  @Field(() => Int)
  progressPercent!: number;

  @Field(() => String, { nullable: true, description: 'RFC 5545 RRULE and EXDATE lines' })
  recurrenceRule!: string | null;

  @Field({ description: 'IANA time zone of the wall-clock times and the recurrence' })
  timeZone!: string;

  @Field(() => String, { nullable: true })
  location!: string | null;

  @Field(() => CalendarItemStatus)
  status!: CalendarItemStatus;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  /** Not a GraphQL field: resolves `owner`. */
  userId!: string;
}

export const CalendarItemConnection = connectionType(CalendarItemNode, 'CalendarItem');

@ObjectType('Occurrence', { simpleResolvers: true })
export class OccurrenceNode {
  @Field()
  start!: Date;

  @Field()
  end!: Date;
}

@ObjectType('AgendaEntry', { simpleResolvers: true, description: 'One occurrence of a calendar item' })
export class AgendaEntryNode {
  @Field()
  start!: Date;

  @Field()
  end!: Date;

  @Field(() => CalendarItemNode)
  item!: CalendarItemNode;
}

export enum CalendarItemChange {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  DELETED = 'DELETED',
}

registerEnumType(CalendarItemChange, { name: 'CalendarItemChange' });

@ObjectType('CalendarItemChanged', { simpleResolvers: true })
export class CalendarItemChangedNode {
  @Field(() => CalendarItemChange)
  change!: CalendarItemChange;

  @Field(() => ID)
  id!: string;

  @Field(() => CalendarItemNode, { nullable: true, description: 'The item as it is now (null once deleted)' })
  item!: CalendarItemNode | null;
}
