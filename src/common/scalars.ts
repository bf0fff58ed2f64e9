import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const PG_UTC = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?\+00$/;

/** A timestamp as ISO 8601 in UTC, from a `Date` or a PostgreSQL `timestamptz` text value. */
export function toIsoTimestamp(value: unknown): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('DateTime cannot represent an invalid Date');
    return value.toISOString();
  }
  if (typeof value === 'string') {
    // Rows read as plain text from PostgreSQL in UTC: a rewrite, no parsing.
    const m = PG_UTC.exec(value);
    if (m) return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
    const parsed = new Date(value.includes(' ') ? value.replace(' ', 'T') : value);
    if (!Number.isNaN(parsed.getTime())) return parsed.toISOString();
  }
  throw new TypeError(`DateTime cannot represent ${String(value)}`);
}

function parseDateTime(value: unknown): Date {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new GraphQLError('DateTime must be an ISO 8601 date-time with a time zone, e.g. 2026-05-01T09:30:00Z', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'A date-time in ISO 8601 with a time zone, e.g. `2026-05-01T09:30:00Z`; returned in UTC',
  serialize: toIsoTimestamp,
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('DateTime must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return parseDateTime(ast.value);
  },
});

/** A `Date` from a `Date` or a PostgreSQL `timestamptz` text value (plain rows keep the text). */
export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(toIsoTimestamp(value));
}
