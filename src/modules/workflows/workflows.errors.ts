import { BadUserInputError, NotFoundError } from '../../common/errors';

export class WorkflowNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Workflow', id);
  }
}

export class StepNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Step', id);
  }
}

export class ScreenshotNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Screenshot', id);
  }
}

export class InvalidWorkflowError extends BadUserInputError {}

/** A status change the lifecycle does not allow, e.g. DRAFT → BROKEN. */
export class InvalidStatusTransitionError extends BadUserInputError {
  constructor(from: string, to: string, allowed: string[]) {
    super(`A ${from} workflow cannot become ${to}` + (allowed.length ? ` (it can become ${allowed.join(', ')})` : ''), {
      from,
      to,
      allowed,
    });
  }
}

/** An upload that is not an image we keep, or too large. */
export class InvalidScreenshotError extends BadUserInputError {}

export class ScreenshotTooLargeError extends InvalidScreenshotError {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes`, { maxBytes });
  }
}
