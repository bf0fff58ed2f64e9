import DataLoader from 'dataloader';
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DB, TenantTable } from '../db/tables';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type ScopedQuery<T extends TenantTable> = SelectQueryBuilder<DB, T, {}>;

/**
 * The read path for lists and relations: plain rows through Kysely, never an entity per row.
 * Every query it starts is already limited to one workspace, because MikroORM's tenant filter
 * does not reach raw queries.
 */
export class Reader {
  constructor(
    readonly db: Kysely<DB>,
    readonly workspaceId: string,
  ) {}

  /** `select … from <table> where <table>.workspace_id = <the workspace>` */
  from<T extends TenantTable>(table: T): ScopedQuery<T> {
    const query = this.db
      .selectFrom(table as TenantTable)
      .where(sql<boolean>`${sql.ref(`${table}.workspace_id`)} = ${this.workspaceId}`);
    return query as unknown as ScopedQuery<T>;
  }

  /**
   * A per-request batch loader of rows by id: one `= any($1)` query per tick however many parents
   * ask, with the rows shaped by `select`.
   */
  loader<T extends TenantTable, Row extends { id: string }>(
    table: T,
    select: (query: ScopedQuery<T>) => SelectQueryBuilder<DB, T, Row>,
  ): DataLoader<string, Row | null> {
    return new DataLoader<string, Row | null>(
      async (ids) => {
        const rows = await select(this.from(table))
          .where(sql<boolean>`${sql.ref(`${table}.id`)} = any(${ids as string[]}::uuid[])`)
          .execute();
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      { maxBatchSize: 1000 },
    );
  }

  /**
   * Per-request loader of the first `first + 1` rows of many parents in one statement (a window
   * per parent), so a list with a page of children per item costs one query however long it is.
   * `columns` alias the columns to the row's fields; `parentField` and `sortField` are among them.
   */
  pagesByParent<T extends TenantTable, Row extends { id: string }>(
    table: T,
    columns: readonly string[],
    page: ChildPage<T>,
  ): DataLoader<string, Row[]> {
    const dir = sql.raw(page.direction);
    const idColumn = sql.ref(`${table}.id`);
    return new DataLoader<string, Row[]>(async (parentIds) => {
      const scoped = page.where ? page.where(this.from(table)) : this.from(table);
      const ranked = scoped
        .select(columns as never)
        .select(
          sql<number>`row_number() over (partition by ${sql.ref(page.parentColumn)} order by ${sql.ref(page.sortColumn)} ${dir}, ${idColumn} ${dir})`.as(
            'rank',
          ),
        )
        .where(sql<boolean>`${sql.ref(page.parentColumn)} = any(${parentIds as string[]}::uuid[])`);
      const rows = (await this.db
        .selectFrom(ranked.as('page'))
        .selectAll()
        .where(sql<boolean>`page.rank <= ${page.first + 1}`)
        .orderBy(sql`${sql.ref(`page.${page.sortField}`)} ${dir}`)
        .orderBy(sql`page.id ${dir}`)
        .execute()) as unknown as Array<Row & { rank: number }>;
      const byParent = new Map<string, Row[]>(parentIds.map((id) => [id, []]));
      for (const { rank: _rank, ...row } of rows) {
        byParent.get((row as unknown as Record<string, string>)[page.parentField]!)?.push(row as unknown as Row);
      }
      return parentIds.map((id) => byParent.get(id) ?? []);
    });
  }

  /** Per-request loader of how many rows each of many parents has, in one statement. */
  countsByParent<T extends TenantTable>(
    table: T,
    parentColumn: string,
    where?: (query: ScopedQuery<T>) => ScopedQuery<T>,
  ): DataLoader<string, number> {
    return new DataLoader<string, number>(async (parentIds) => {
      const scoped = where ? where(this.from(table)) : this.from(table);
      const rows = (await scoped
        .select([sql<string>`${sql.ref(parentColumn)}`.as('parentId'), sql<number>`count(*)::int`.as('count')])
        .where(sql<boolean>`${sql.ref(parentColumn)} = any(${parentIds as string[]}::uuid[])`)
        .groupBy(sql.ref(parentColumn) as never)
        .execute()) as Array<{ parentId: string; count: number }>;
      const counts = new Map(rows.map((r) => [r.parentId, r.count]));
      return parentIds.map((id) => counts.get(id) ?? 0);
    });
  }
}

/** How `Reader.pagesByParent` pages the children of each parent. */
export interface ChildPage<T extends TenantTable> {
  /** The parent key, e.g. `trigger_executions.trigger_id`, and the row field it is read as. */
  parentColumn: string;
  parentField: string;
  /** The order within a parent (the id breaks ties): a column and the row field it is read as. */
  sortColumn: string;
  sortField: string;
  direction: 'asc' | 'desc';
  first: number;
  /** A further condition on the children (e.g. a status filter). */
  where?: (query: ScopedQuery<T>) => ScopedQuery<T>;
}
