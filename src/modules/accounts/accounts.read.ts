import type { Kysely } from 'kysely';
import type { Reader, ScopedQuery } from '../../common/reader';
import type { DB } from '../../db/tables';
import type { UserNode, WorkspaceNode } from './accounts.types';

/** The columns of a `User` node, aliased to its fields. */
export const selectUser = (q: ScopedQuery<'users'>) =>
  q.select([
    'users.id',
    'users.email',
    'users.display_name as displayName',
    'users.role',
    'users.workspace_id as workspaceId',
    'users.created_at as createdAt',
  ]);

export function userLoader(reader: Reader) {
  return reader.loader<'users', UserNode>('users', selectUser);
}

/** The viewer's own workspace row (workspaces are the tenant, so they are looked up by id). */
export function readWorkspace(reader: Reader): Promise<WorkspaceNode | undefined> {
  return readWorkspaceById(reader.db, reader.workspaceId);
}

/** A workspace by id, for a user who has just signed in (there is no viewer yet). */
export function readWorkspaceById(db: Kysely<DB>, id: string): Promise<WorkspaceNode | undefined> {
  return db
    .selectFrom('workspaces')
    .select(['id', 'name', 'created_at as createdAt'])
    .where('id', '=', id)
    .executeTakeFirst();
}
