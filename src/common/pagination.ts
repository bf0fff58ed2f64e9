import { sql, type SelectQueryBuilder } from 'kysely';
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { BadUserInputError } from './errors';

export const MAX_PAGE_SIZE = 100;

/** Checked by `paginate` itself (cheaper than a validator run on every list request). */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: 'How many items to return (at most 100)' })
  first = 20;

  @Field(() => String, { nullable: true, description: 'Cursor of the item to start after' })
  after?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Edge<T> {
  readonly cursor: string;
  readonly node: T;
}

/** An edge whose cursor is encoded only if a client asks for it. */
class LazyEdge<T> implements Edge<T> {
  constructor(
    readonly node: T,
    private readonly sortValue: unknown,
    private readonly id: string,
  ) {}

  get cursor(): string {
    return encodeCursor(this.sortValue, this.id);
  }
}

/** A Relay connection whose `totalCount` is counted only when a client asks for it. */
export class Connection<T> {
  #count?: Promise<number>;

  constructor(
    readonly edges: Edge<T>[],
    readonly pageInfo: PageInfo,
    private readonly counter: () => Promise<number>,
  ) {}

  /** A connection over rows already read (e.g. the first page of many parents, batched). */
  static of<T>(
    nodes: T[],
    hasNextPage: boolean,
    key: (node: T) => [unknown, string],
    counter: () => Promise<number>,
  ): Connection<T> {
    const edges = nodes.map((node) => new LazyEdge(node, ...key(node)));
    const last = nodes.at(-1);
    const endCursor = last === undefined ? null : encodeCursor(...key(last));
    return new Connection(edges, { hasNextPage, endCursor }, counter);
  }

  get totalCount(): Promise<number> {
    this.#count ??= this.counter();
    return this.#count;
  }
}

/** The GraphQL types `<Name>Connection` and `<Name>Edge` for a node type. */
export function connectionType<T extends object>(node: ClassType<T>, name = node.name) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class EdgeType {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class ConnectionType {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    // Not simple: the value is a promise (counted on demand), which needs a resolver to await it.
    @Field(() => Int, { description: 'Number of items matching the filter, over all pages', simple: false })
    totalCount!: number;
  }
  return ConnectionType;
}

export type SortDirection = 'asc' | 'desc';

export interface KeysetSort<Row> {
  /** Column to order by, as SQL sees it (e.g. `users.created_at`); unique together with `idColumn`. */
  column: string;
  /** The row property holding that column's value. */
  field: keyof Row & string;
  direction: SortDirection;
}

export interface PaginateOptions<DB, TB extends keyof DB, Row extends { id: string }> {
  /** The filtered (and tenant-scoped) query selecting `Row`, without order or limit. */
  query: SelectQueryBuilder<DB, TB, Row>;
  /** Tie-breaking primary key column, e.g. `users.id`. */
  idColumn: string;
  sort: KeysetSort<Row>;
  first: number;
  after?: string | null;
}

/**
 * Keyset pagination: `where (sort, id) > (cursor)` instead of offsets, so a page costs the
 * same however deep it is. One statement for the page; one more only if `totalCount` is asked.
 */
export async function paginate<DB, TB extends keyof DB, Row extends { id: string }>(
  options: PaginateOptions<DB, TB, Row>,
): Promise<Connection<Row>> {
  const { query, idColumn, sort, first } = options;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  const op = sort.direction === 'asc' ? sql.raw('>') : sql.raw('<');
  const dir = sql.raw(sort.direction);
  let page = query;
  if (options.after) {
    const [value, id] = decodeCursor(options.after);
    page = page.where(sql<boolean>`(${sql.ref(sort.column)}, ${sql.ref(idColumn)}) ${op} (${value}, ${id}::uuid)`);
  }
  const rows = (await page
    .orderBy(sql`${sql.ref(sort.column)} ${dir}`)
    .orderBy(sql`${sql.ref(idColumn)} ${dir}`)
    .limit(first + 1)
    .execute()) as Row[];
  const hasNextPage = rows.length > first;
  if (hasNextPage) rows.pop();
  const edges = rows.map((node) => new LazyEdge(node, node[sort.field], node.id));
  const last = rows.at(-1);
  const counter = async () => {
    const result = (await query
      .clearSelect()
      .select(sql<number>`count(*)::int`.as('count'))
      .executeTakeFirst()) as { count: number } | undefined;
    return result?.count ?? 0;
  };
  const endCursor = last ? encodeCursor(last[sort.field], last.id) : null;
  return new Connection(edges, { hasNextPage, endCursor }, counter);
}

function encodeCursor(value: unknown, id: string): string {
  const v = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([v, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string | number, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === 'string' || typeof parsed[0] === 'number') &&
      typeof parsed[1] === 'string' &&
      /^[0-9a-f-]{36}$/i.test(parsed[1])
    ) {
      return [parsed[0], parsed[1]];
    }
  } catch {
    // fall through
  }
  throw new BadUserInputError('Invalid cursor');
}
