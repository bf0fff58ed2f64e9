import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { PageArgs, type Connection } from '../../common/pagination';
import { requireAdmin, requireViewer, type Context } from '../../context';
import type { DB } from '../../db/tables';
import { readWorkspaceById } from './accounts.read';
import { Role } from './role';
import { MemberFilter, MemberOrder } from './accounts.inputs';
import { UserConnection, UserNode, WorkspaceNode } from './accounts.types';
import { WorkspaceService } from './workspace.service';

@Resolver(() => WorkspaceNode)
export class WorkspaceResolver {
  @Query(() => WorkspaceNode, { description: "The viewer's workspace" })
  workspace(@Ctx() ctx: Context): WorkspaceNode {
    return { id: requireViewer(ctx).workspaceId };
  }

  @FieldResolver(() => String)
  async name(@Root() workspace: WorkspaceNode, @Ctx() ctx: Context): Promise<string> {
    return (await workspaceRow(workspace, ctx)).name;
  }

  @FieldResolver(() => Date)
  async createdAt(@Root() workspace: WorkspaceNode, @Ctx() ctx: Context): Promise<Date> {
    return (await workspaceRow(workspace, ctx)).createdAt;
  }

  @FieldResolver(() => UserConnection)
  members(
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Arg('filter', () => MemberFilter, { nullable: true }) filter: MemberFilter | null,
    @Arg('orderBy', () => MemberOrder, { nullable: true }) orderBy: MemberOrder | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<UserNode>> {
    return new WorkspaceService(ctx).members(page.first, page.after, filter, orderBy);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Token that lets a new user join (`signUp(input: { inviteToken })`); admins only',
  })
  inviteToken(@Ctx() ctx: Context): Promise<string> | null {
    const viewer = requireViewer(ctx);
    return viewer.role === Role.ADMIN ? new WorkspaceService(ctx).inviteToken(viewer) : null;
  }

  @Mutation(() => String, { description: 'A new invite token; the old one stops working (admins)' })
  regenerateInviteToken(@Ctx() ctx: Context): Promise<string> {
    return new WorkspaceService(ctx).regenerateInviteToken(requireAdmin(ctx));
  }

  @Mutation(() => UserNode, { description: 'Make a member an admin or an admin a member (admins)' })
  updateMemberRole(
    @Arg('userId', () => ID) userId: string,
    @Arg('role', () => Role) role: Role,
    @Ctx() ctx: Context,
  ): Promise<UserNode> {
    return new WorkspaceService(ctx).updateMemberRole(requireAdmin(ctx), parseId(userId, 'userId'), role);
  }

  @Mutation(() => Boolean, { description: 'Remove a user and their personal data from the workspace (admins)' })
  removeMember(@Arg('userId', () => ID) userId: string, @Ctx() ctx: Context): Promise<boolean> {
    return new WorkspaceService(ctx).removeMember(requireAdmin(ctx), parseId(userId, 'userId'));
  }
}

@Resolver(() => UserNode)
export class UserResolver {
  @FieldResolver(() => WorkspaceNode)
  workspace(@Root() user: UserNode): WorkspaceNode {
    return { id: user.workspaceId };
  }
}

/**
 * The workspace row, read once per request. Users only ever come from reads of the viewer's
 * workspace, or from `signUp`/`logIn` (signed out), whose user's workspace is read by id.
 */
async function workspaceRow(workspace: WorkspaceNode, ctx: Context): Promise<Required<WorkspaceNode>> {
  if (workspace.name !== undefined && workspace.createdAt !== undefined) return workspace as Required<WorkspaceNode>;
  const row =
    ctx.viewer?.workspaceId === workspace.id
      ? await ctx.loaders.workspace()
      : ctx.viewer
        ? undefined
        : await readWorkspaceById(ctx.em.getKysely<DB>(), workspace.id);
  if (!row) throw new NotFoundError('Workspace');
  return row as Required<WorkspaceNode>;
}
