import { BadUserInputError, NotFoundError } from '../../common/errors';

export class CalendarItemNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Calendar item', id);
  }
}

export class InvalidCalendarItemError extends BadUserInputError {}
