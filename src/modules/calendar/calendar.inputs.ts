import { IsOptional, Length, Max, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { OrderDirection } from '../../common/order';
import { CalendarItemStatus, CalendarItemType } from './calendar.enums';

@InputType()
export class CreateCalendarItemInput {
  @Field(() => CalendarItemType)
  type!: CalendarItemType;

  @Field()
  @Length(1, 500)
  title!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;

  @Field(() => Date, { nullable: true })
  startTime?: Date | null;

  @Field(() => Date, { nullable: true })
  endTime?: Date | null;

  @Field(() => Int, { nullable: true, description: 'Minutes' })
  @IsOptional()
  @Min(0)
  @Max(525_600)
  estimatedDuration?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0, { message: 'progressPercent must be between 0 and 100' })
  @Max(100, { message: 'progressPercent must be between 0 and 100' })
  progressPercent?: number | null;

  @Field(() => String, { nullable: true, description: 'RRULE (and EXDATE) lines; needs a startTime' })
  @IsOptional()
  @MaxLength(10_000)
  recurrenceRule?: string | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. Europe/Berlin (default UTC)' })
  @IsOptional()
  @MaxLength(64)
  timeZone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  location?: string | null;

  @Field(() => CalendarItemStatus, { nullable: true })
  status?: CalendarItemStatus | null;
}

@InputType({ description: 'Fields to change; a field left out stays as it is, null clears it' })
export class UpdateCalendarItemInput {
  @Field(() => ID)
  id!: string;

  @Field(() => CalendarItemType, { nullable: true })
  type?: CalendarItemType | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 500)
  title?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;

  @Field(() => Date, { nullable: true })
  startTime?: Date | null;

  @Field(() => Date, { nullable: true })
  endTime?: Date | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(525_600)
  estimatedDuration?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0, { message: 'progressPercent must be between 0 and 100' })
  @Max(100, { message: 'progressPercent must be between 0 and 100' })
  progressPercent?: number | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  recurrenceRule?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(64)
  timeZone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  location?: string | null;

  @Field(() => CalendarItemStatus, { nullable: true })
  status?: CalendarItemStatus | null;
}

@InputType()
export class CalendarItemFilter {
  @Field(() => CalendarItemType, { nullable: true })
  type?: CalendarItemType | null;

  @Field(() => CalendarItemStatus, { nullable: true })
  status?: CalendarItemStatus | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Items that end at or after this time (recurring series: that have not ended before it)',
  })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Items that start before this time' })
  to?: Date | null;

  @Field(() => String, { nullable: true, description: 'Part of the title' })
  @IsOptional()
  @MaxLength(200)
  text?: string | null;
}

export enum CalendarItemOrderField {
  START_TIME = 'START_TIME',
  CREATED_AT = 'CREATED_AT',
  TITLE = 'TITLE',
}

registerEnumType(CalendarItemOrderField, { name: 'CalendarItemOrderField' });

@InputType()
export class CalendarItemOrder {
  @Field(() => CalendarItemOrderField)
  field!: CalendarItemOrderField;

  @Field(() => OrderDirection, { nullable: true, description: 'ASC when left out' })
  direction?: OrderDirection | null;
}
