import { BadUserInputError, ConflictError, UnauthenticatedError } from '../../common/errors';

export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super('Email or password is incorrect');
  }
}

export class InvalidRefreshTokenError extends UnauthenticatedError {
  constructor() {
    super('The refresh token is invalid, expired or already used');
  }
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('An account with this email already exists');
  }
}

export class InvalidInviteError extends BadUserInputError {
  constructor() {
    super('The invite token is not valid');
  }
}

export class LastAdminError extends ConflictError {
  constructor() {
    super('A workspace needs at least one admin');
  }
}
