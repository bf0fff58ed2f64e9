import { BadUserInputError, ConflictError, NotFoundError } from '../../common/errors';

export class HaConnectionNotFoundError extends NotFoundError {
  constructor(id?: string) {
    super('Home Assistant connection', id);
  }
}

export class HaEventNotFoundError extends NotFoundError {
  constructor(id?: string) {
    super('Home Assistant event', id);
  }
}

export class InvalidHaInputError extends BadUserInputError {}

export class HaConnectionExistsError extends ConflictError {
  constructor() {
    super('You already have a connection to this Home Assistant URL');
  }
}

/** Home Assistant could not be reached, refused the token, or answered a command with an error. */
export class HaUnavailableError extends BadUserInputError {}
