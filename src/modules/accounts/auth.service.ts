import { randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { App } from '../../app';
import { BadUserInputError } from '../../common/errors';
import type { NotificationReceivedPayload } from '../../common/pubsub';
import type { RequestInfo, Viewer } from '../../context';
import { TENANT_FILTER } from '../../db/orm-options';
import type { DB } from '../../db/tables';
import { ActivityService } from '../activity/activity.service';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import {
  EmailTakenError,
  InvalidCredentialsError,
  InvalidInviteError,
  InvalidRefreshTokenError,
} from './accounts.errors';
import type { LogInInput, SignUpInput } from './accounts.inputs';
import type { AuthPayload, UserNode } from './accounts.types';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords';
import { Role } from './role';
import { Session } from './session.entity';
import { hashToken } from './token.service';
import { User } from './user.entity';
import { Workspace } from './workspace.entity';

const NO_TENANT = { filters: { [TENANT_FILTER]: false } } as const;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function newInviteToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Sign-up, sign-in, token refresh and sign-out, each written to the audit log. */
export class AuthService {
  private readonly em: EntityManager;

  constructor(
    private readonly app: App,
    private readonly request: RequestInfo,
  ) {
    this.em = app.orm.em.fork();
  }

  async signUp(input: SignUpInput): Promise<AuthPayload> {
    const joining = Boolean(input.inviteToken);
    if (joining === Boolean(input.workspaceName)) {
      throw new BadUserInputError('Give either workspaceName (to create a workspace) or inviteToken (to join one)');
    }
    const email = normaliseEmail(input.email);
    const passwordHash = await hashPassword(input.password);
    const notifications: NotificationReceivedPayload[] = [];
    let result: { user: User; session: Session; refreshToken: string };
    try {
      result = await this.em.transactional(async (em) => {
        let workspace: Workspace;
        if (input.inviteToken) {
          const found = await em.findOne(Workspace, { inviteToken: input.inviteToken });
          if (!found) throw new InvalidInviteError();
          workspace = found;
        } else {
          workspace = em.create(Workspace, { name: input.workspaceName!.trim(), inviteToken: newInviteToken() });
        }
        if (await em.count(User, { email }, NO_TENANT)) throw new EmailTakenError();
        const user = em.create(User, {
          workspace,
          email,
          passwordHash,
          displayName: input.displayName.trim(),
          role: joining ? Role.MEMBER : Role.ADMIN,
          lastLoginAt: new Date(),
        });
        const { session, refreshToken } = this.newSession(em, user);
        await em.flush();
        await new AuditService(em).record(
          {
            action: joining ? 'auth.joined_workspace' : 'auth.signed_up',
            success: true,
            workspaceId: workspace.id,
            userId: user.id,
            targetType: 'user',
            targetId: user.id,
          },
          this.request,
        );
        await new ActivityService(em).record({
          workspaceId: workspace.id,
          userId: user.id,
          type: joining ? 'member.joined' : 'workspace.created',
          message: joining
            ? `${user.displayName} joined ${workspace.name}`
            : `${user.displayName} created ${workspace.name}`,
        });
        if (joining) {
          notifications.push(
            await new NotificationsService(em, this.app.pubSub).create({
              workspaceId: workspace.id,
              to: 'admins',
              title: 'New member',
              message: `${user.displayName} (${user.email}) joined the workspace`,
              sourceType: 'user',
              sourceId: user.id,
            }),
          );
        }
        return { user, session, refreshToken };
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new EmailTakenError();
      throw error;
    }
    new NotificationsService(this.em, this.app.pubSub).publish(notifications);
    return this.payload(result.user, result.session.id, result.refreshToken);
  }

  async logIn(input: LogInInput): Promise<AuthPayload> {
    const started = Date.now();
    const email = normaliseEmail(input.email);
    const row = await this.em
      .getKysely<DB>()
      .selectFrom('users')
      .select(['id', 'workspace_id', 'password_hash'])
      .where('email', '=', email)
      .executeTakeFirst();
    const valid = row
      ? await verifyPassword(row.password_hash, input.password)
      : await verifyAgainstDummy(input.password);
    const audit = new AuditService(this.em);
    if (!row || !valid) {
      await audit.record(
        {
          action: 'auth.sign_in',
          success: false,
          workspaceId: row?.workspace_id ?? null,
          userId: row?.id ?? null,
          errorMessage: row ? 'wrong password' : 'unknown email',
          durationMs: Date.now() - started,
          details: { email },
        },
        this.request,
      );
      throw new InvalidCredentialsError();
    }
    return this.em.transactional(async (em) => {
      const user = await em.findOneOrFail(User, row.id, NO_TENANT);
      user.lastLoginAt = new Date();
      const { session, refreshToken } = this.newSession(em, user);
      await em.flush();
      await new AuditService(em).record(
        {
          action: 'auth.sign_in',
          success: true,
          workspaceId: user.workspace.id,
          userId: user.id,
          durationMs: Date.now() - started,
        },
        this.request,
      );
      await new ActivityService(em).record({
        workspaceId: user.workspace.id,
        userId: user.id,
        type: 'auth.signed_in',
        message: `${user.displayName} signed in`,
        payload: { userAgent: this.request.userAgent },
      });
      return this.payload(user, session.id, refreshToken);
    });
  }

  /** Exchanges a refresh token for new tokens; the old refresh token stops working. */
  async refresh(refreshToken: string): Promise<AuthPayload> {
    const next = this.app.tokens.newRefreshToken();
    const now = new Date();
    const rotated = await this.em
      .getKysely<DB>()
      .updateTable('sessions')
      .set({
        refresh_token_hash: next.hash,
        last_used_at: now,
        updated_at: now,
        expires_at: this.refreshExpiry(now),
      })
      .where('refresh_token_hash', '=', hashToken(refreshToken))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['id', 'user_id'])
      .executeTakeFirst();
    if (!rotated) throw new InvalidRefreshTokenError();
    const user = await this.em.findOneOrFail(User, rotated.user_id, NO_TENANT);
    return this.payload(user, rotated.id, next.token);
  }

  async logOut(viewer: Viewer): Promise<boolean> {
    await this.em
      .getKysely<DB>()
      .updateTable('sessions')
      .set({ revoked_at: new Date(), updated_at: new Date() })
      .where('id', '=', viewer.sessionId)
      .execute();
    await new AuditService(this.em).record(
      { action: 'auth.sign_out', success: true, workspaceId: viewer.workspaceId, userId: viewer.id },
      this.request,
    );
    this.app.viewers.changed(viewer.id);
    return true;
  }

  private newSession(em: EntityManager, user: User) {
    const { token, hash } = this.app.tokens.newRefreshToken();
    const session = em.create(Session, {
      workspace: user.workspace,
      user,
      refreshTokenHash: hash,
      expiresAt: this.refreshExpiry(new Date()),
      userAgent: this.request.userAgent,
      ipAddress: this.request.ip,
    });
    return { session, refreshToken: token };
  }

  private refreshExpiry(from: Date): Date {
    return new Date(from.getTime() + this.app.config.refreshTokenTtlDays * 86_400_000);
  }

  private async payload(user: User, sessionId: string, refreshToken: string): Promise<AuthPayload> {
    const access = await this.app.tokens.signAccess({
      userId: user.id,
      workspaceId: user.workspace.id,
      sessionId,
    });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken,
      user: toUserNode(user),
    };
  }
}

export function toUserNode(user: User): UserNode {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    workspaceId: user.workspace.id,
    createdAt: user.createdAt,
  };
}
