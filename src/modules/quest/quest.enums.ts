import { registerEnumType } from 'type-graphql';

/** The outside services a user can connect. */
export enum QuestProvider {
  GITHUB = 'GITHUB',
  FITBIT = 'FITBIT',
}

export enum IntegrationStatus {
  /** Authorization started, not completed yet. */
  PENDING = 'PENDING',
  CONNECTED = 'CONNECTED',
  /** The provider refused the tokens (revoked or expired refresh): connect again. */
  ERROR = 'ERROR',
  /** Disconnected by its owner: tokens and webhook secret deleted. */
  DISCONNECTED = 'DISCONNECTED',
}

/** What became of a raw delivery or sync payload. */
export enum RawEventStatus {
  /** Normalised into quest events (possibly none, e.g. a push of other people's commits). */
  PROCESSED = 'PROCESSED',
  /** A kind of event the quest does not use (ping, stars, opened pull requests, ...). */
  IGNORED = 'IGNORED',
  /** Could not be normalised; kept with its error. */
  FAILED = 'FAILED',
}

export enum QuestEventKind {
  COMMIT = 'COMMIT',
  PULL_REQUEST_MERGED = 'PULL_REQUEST_MERGED',
  ISSUE_CLOSED = 'ISSUE_CLOSED',
  /** A day's steps. */
  STEPS = 'STEPS',
  /** A day's fairly and very active minutes. */
  ACTIVE_MINUTES = 'ACTIVE_MINUTES',
  /** A night's minutes asleep (on the day of waking up). */
  SLEEP = 'SLEEP',
}

export enum GoalKind {
  COMMITS = 'COMMITS',
  PULL_REQUESTS = 'PULL_REQUESTS',
  STEPS = 'STEPS',
  ACTIVE_MINUTES = 'ACTIVE_MINUTES',
  SLEEP_HOURS = 'SLEEP_HOURS',
}

export enum GoalPeriod {
  DAILY = 'DAILY',
  /** Monday to Sunday. */
  WEEKLY = 'WEEKLY',
}

export enum PetMood {
  HAPPY = 'HAPPY',
  CONTENT = 'CONTENT',
  HUNGRY = 'HUNGRY',
  TIRED = 'TIRED',
  MISERABLE = 'MISERABLE',
}

registerEnumType(QuestProvider, { name: 'QuestProvider' });
registerEnumType(IntegrationStatus, { name: 'IntegrationStatus' });
registerEnumType(RawEventStatus, { name: 'RawEventStatus' });
registerEnumType(QuestEventKind, { name: 'QuestEventKind' });
registerEnumType(GoalKind, { name: 'GoalKind' });
registerEnumType(GoalPeriod, { name: 'GoalPeriod' });
registerEnumType(PetMood, { name: 'PetMood' });
