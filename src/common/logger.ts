import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs to stdout; secrets that may pass through request data are redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'homeos-api' },
    redact: {
      paths: [
        'password',
        '*.password',
        'accessToken',
        '*.accessToken',
        'refreshToken',
        '*.refreshToken',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}
