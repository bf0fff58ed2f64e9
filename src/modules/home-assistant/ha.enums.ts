import { registerEnumType } from 'type-graphql';

export enum HaConnectionStatus {
  DISCONNECTED = 'DISCONNECTED',
  CONNECTING = 'CONNECTING',
  CONNECTED = 'CONNECTED',
  /** Unreachable or failing; the holder keeps retrying with backoff. */
  ERROR = 'ERROR',
  /** Home Assistant refused the token: nobody retries until the token is replaced or tested again. */
  AUTH_FAILED = 'AUTH_FAILED',
}

export enum HaMetricType {
  /** Ping round trip, ms. */
  LATENCY = 'LATENCY',
  /** Fraction of the interval connected, 0..1. */
  UPTIME = 'UPTIME',
  /** Failed commands and connection errors per command sent, 0..1. */
  ERROR_RATE = 'ERROR_RATE',
  /** Events received per minute. */
  EVENT_RATE = 'EVENT_RATE',
}

export enum HaMetricBucket {
  MINUTE = 'MINUTE',
  FIVE_MINUTES = 'FIVE_MINUTES',
  HOUR = 'HOUR',
  DAY = 'DAY',
}

registerEnumType(HaConnectionStatus, { name: 'HaConnectionStatus' });
registerEnumType(HaMetricType, { name: 'HaMetricType' });
registerEnumType(HaMetricBucket, { name: 'HaMetricBucket' });
