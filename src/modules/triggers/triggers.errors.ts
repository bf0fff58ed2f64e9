import { BadUserInputError, NotFoundError } from '../../common/errors';

export class TriggerNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Trigger', id);
  }
}

export class InvalidTriggerError extends BadUserInputError {}
