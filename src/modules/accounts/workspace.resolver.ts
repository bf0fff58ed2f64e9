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
  async workspace(@Ctx() ctx: Context): Promise<WorkspaceNode> {
    requireViewer(ctx);
    const workspace = await ctx.loaders.workspace();
    if (!workspace) throw new NotFoundError('Workspace');
    return workspace;
  }

  @FieldResolver(() => UserConnection)
  members(
    @Args(() => PageArgs) page: PageArgs,
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
  async workspace(@Root() user: UserNode, @Ctx() ctx: Context): Promise<WorkspaceNode> {
    // Signed out, the user is the one `signUp`/`logIn` just returned.
    const workspace = ctx.viewer
      ? await ctx.loaders.workspace()
      : await readWorkspaceById(ctx.em.getKysely<DB>(), user.workspaceId);
    if (!workspace || workspace.id !== user.workspaceId) throw new NotFoundError('Workspace');
    return workspace;
  }
}
