import { BadUserInputError, ForbiddenError, NotFoundError } from '../../common/errors';

export class TaskNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Task', id);
  }
}

export class TaskExecutionNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Task execution', id);
  }
}

export class AiMemoryNotFoundError extends NotFoundError {
  constructor(key: string) {
    super('AI memory', JSON.stringify(key));
  }
}

export class InvalidTaskError extends BadUserInputError {}

export class InvalidAiMemoryError extends BadUserInputError {}

/** COMMAND tasks: off on this server, or the viewer is not an admin. */
export class CommandTasksForbiddenError extends ForbiddenError {}
