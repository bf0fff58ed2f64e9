import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { NotFoundError } from '../../common/errors';
import { OrderDirection, toSortDirection } from '../../common/order';
import { paginate, type Connection } from '../../common/pagination';
import type { NotificationReceivedPayload } from '../../common/pubsub';
import { Reader } from '../../common/reader';
import type { Context, Viewer } from '../../context';
import type { DB } from '../../db/tables';
import { ActivityService } from '../activity/activity.service';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { LastAdminError } from './accounts.errors';
import { MemberOrderField, type MemberFilter, type MemberOrder } from './accounts.inputs';
import { selectUser } from './accounts.read';
import type { UserNode } from './accounts.types';
import { newInviteToken, toUserNode } from './auth.service';
import { Role } from './role';
import { User } from './user.entity';
import { Workspace } from './workspace.entity';

const MEMBER_SORT = {
  [MemberOrderField.CREATED_AT]: { column: 'users.created_at', field: 'createdAt' },
  [MemberOrderField.DISPLAY_NAME]: { column: 'users.display_name', field: 'displayName' },
  [MemberOrderField.EMAIL]: { column: 'users.email', field: 'email' },
} as const;

/** The viewer's workspace: its members, their roles and the invite token. */
export class WorkspaceService {
  constructor(private readonly ctx: Context) {}

  members(
    first: number,
    after: string | null | undefined,
    filter: MemberFilter | null | undefined,
    order: MemberOrder | null | undefined,
  ): Promise<Connection<UserNode>> {
    let query = selectUser(this.ctx.reader.from('users'));
    const text = filter?.text?.trim();
    if (text) {
      const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([eb('users.display_name', 'ilike', pattern), eb('users.email', 'ilike', pattern)]),
      );
    }
    const sort = MEMBER_SORT[order?.field ?? MemberOrderField.CREATED_AT];
    return paginate({
      query,
      idColumn: 'users.id',
      sort: { ...sort, direction: toSortDirection(order?.direction ?? OrderDirection.ASC) },
      first,
      after,
    });
  }

  async inviteToken(viewer: Viewer): Promise<string> {
    const workspace = await this.ctx.em.findOneOrFail(Workspace, viewer.workspaceId);
    return workspace.inviteToken;
  }

  async regenerateInviteToken(viewer: Viewer): Promise<string> {
    return this.ctx.em.transactional(async (em) => {
      const workspace = await em.findOneOrFail(Workspace, viewer.workspaceId);
      workspace.inviteToken = newInviteToken();
      await em.flush();
      await new AuditService(em).record(
        {
          action: 'workspace.invite_regenerated',
          success: true,
          workspaceId: viewer.workspaceId,
          userId: viewer.id,
          targetType: 'workspace',
          targetId: workspace.id,
        },
        this.ctx.request,
      );
      return workspace.inviteToken;
    });
  }

  async updateMemberRole(viewer: Viewer, userId: string, role: Role): Promise<UserNode> {
    const notifications: NotificationReceivedPayload[] = [];
    const user = await this.ctx.em.transactional(async (em) => {
      // One admin change at a time per workspace, so two admins cannot demote each other to none.
      await em.findOneOrFail(Workspace, viewer.workspaceId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const target = await em.findOne(User, userId);
      if (!target) throw new NotFoundError('User', userId);
      const previous = target.role;
      if (previous === role) return target;
      if (previous === Role.ADMIN) await assertAnotherAdmin(em, viewer.workspaceId, userId);
      target.role = role;
      await em.flush();
      await new AuditService(em).record(
        {
          action: 'member.role_changed',
          success: true,
          workspaceId: viewer.workspaceId,
          userId: viewer.id,
          targetType: 'user',
          targetId: target.id,
          details: { from: previous, to: role },
        },
        this.ctx.request,
      );
      await new ActivityService(em).record({
        workspaceId: viewer.workspaceId,
        userId: target.id,
        type: 'member.role_changed',
        message: `${viewer.displayName} made ${target.displayName} ${role === Role.ADMIN ? 'an admin' : 'a member'}`,
        payload: { from: previous, to: role, by: viewer.id },
      });
      notifications.push(
        await new NotificationsService(em, this.ctx.app.pubSub).create({
          workspaceId: viewer.workspaceId,
          to: { userId: target.id },
          title: 'Your role changed',
          message: `${viewer.displayName} changed your role to ${role}`,
          sourceType: 'user',
          sourceId: target.id,
        }),
      );
      return target;
    });
    this.ctx.app.viewers.changed(user.id);
    new NotificationsService(this.ctx.em, this.ctx.app.pubSub).publish(notifications);
    return toUserNode(user);
  }

  async removeMember(viewer: Viewer, userId: string): Promise<boolean> {
    await this.ctx.em.transactional(async (em) => {
      await em.findOneOrFail(Workspace, viewer.workspaceId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const target = await em.findOne(User, userId);
      if (!target) throw new NotFoundError('User', userId);
      if (target.role === Role.ADMIN) await assertAnotherAdmin(em, viewer.workspaceId, userId);
      await new AuditService(em).record(
        {
          action: 'member.removed',
          success: true,
          workspaceId: viewer.workspaceId,
          userId: viewer.id,
          targetType: 'user',
          targetId: target.id,
          details: { email: target.email, displayName: target.displayName, role: target.role },
        },
        this.ctx.request,
      );
      await new ActivityService(em).record({
        workspaceId: viewer.workspaceId,
        userId: viewer.id,
        type: 'member.removed',
        message: `${viewer.displayName} removed ${target.displayName}`,
        payload: { removedUserId: target.id },
      });
      em.remove(target);
      await em.flush();
    });
    this.ctx.app.viewers.changed(userId);
    return true;
  }
}

/** Within the caller's transaction: some admin other than `exceptUserId` remains. */
async function assertAnotherAdmin(em: EntityManager, workspaceId: string, exceptUserId: string): Promise<void> {
  const row = await new Reader(em.getKysely<DB>(), workspaceId)
    .from('users')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('users.role', '=', Role.ADMIN)
    .where('users.id', '<>', exceptUserId)
    .executeTakeFirstOrThrow();
  if (row.count === 0) throw new LastAdminError();
}
