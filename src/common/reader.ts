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
}
