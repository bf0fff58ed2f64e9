import { BadUserInputError, ConflictError, NotFoundError } from '../../common/errors';

export class PetNotFoundError extends NotFoundError {
  constructor(id?: string) {
    super('Pet', id);
  }
}

export class IntegrationNotFoundError extends NotFoundError {
  constructor(id?: string) {
    super('Integration', id);
  }
}

export class RawEventNotFoundError extends NotFoundError {
  constructor(id?: string) {
    super('Raw event', id);
  }
}

export class GoalNotFoundError extends NotFoundError {
  constructor(id?: string) {
    super('Goal', id);
  }
}

export class InvalidQuestInputError extends BadUserInputError {}

/** The provider is not configured on this server (no client id and secret). */
export class ProviderNotConfiguredError extends BadUserInputError {
  constructor(provider: string) {
    super(`${provider} is not configured on this server`);
  }
}

/** The integration is not in a state that allows this (e.g. syncing a disconnected one). */
export class IntegrationStateError extends ConflictError {}

/** A provider refused a request or answered something unusable. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    /** The provider's error code, e.g. `invalid_grant` or `expired_token`. */
    readonly errorType: string | null = null,
    /** Seconds to wait before trying again (rate limits). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  /** The grant is gone (revoked, or the refresh token expired or was used): the user must connect again. */
  get grantRevoked(): boolean {
    return (
      this.errorType === 'invalid_grant' || this.errorType === 'invalid_token' || this.errorType === 'bad_refresh_token'
    );
  }
}
