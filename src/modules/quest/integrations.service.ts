import { randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { App } from '../../app';
import { paginate, type Connection } from '../../common/pagination';
import type { Reader } from '../../common/reader';
import type { RequestInfo, Viewer } from '../../context';
import { AuditService } from '../audit/audit.service';
import { openSecret, sealSecret } from './integration-secrets';
import { Integration } from './integration.entity';
import type {
  GithubWebhookSetupNode,
  IntegrationAuthorizationNode,
  IntegrationSyncResultNode,
} from './integration.types';
import { providerPath, selectIntegration, type IntegrationRow } from './integrations.read';
import { OAuthStates } from './oauth-state';
import { IntegrationStatus, QuestProvider } from './quest.enums';
import { IntegrationNotFoundError, IntegrationStateError, ProviderNotConfiguredError } from './quest.errors';

export const GITHUB_WEBHOOK_EVENTS = ['push', 'pull_request', 'issues'];

/** The viewer's integrations: connecting (the GraphQL half of OAuth), disconnecting, webhook secrets, syncs. */
export class IntegrationsService {
  constructor(
    private readonly app: App,
    private readonly em: EntityManager,
  ) {}

  get(reader: Reader, viewer: Viewer, id: string): Promise<IntegrationRow | undefined> {
    return selectIntegration(reader.from('integrations'))
      .where('integrations.user_id', '=', viewer.id)
      .where('integrations.id', '=', id)
      .executeTakeFirst();
  }

  async getOrFail(reader: Reader, viewer: Viewer, id: string): Promise<IntegrationRow> {
    const row = await this.get(reader, viewer, id);
    if (!row) throw new IntegrationNotFoundError(id);
    return row;
  }

  list(
    reader: Reader,
    viewer: Viewer,
    page: { first: number; after?: string | null },
  ): Promise<Connection<IntegrationRow>> {
    return paginate({
      query: selectIntegration(reader.from('integrations')).where('integrations.user_id', '=', viewer.id),
      idColumn: 'integrations.id',
      sort: { column: 'integrations.created_at', field: 'createdAt', direction: 'asc' },
      first: page.first,
      after: page.after ?? null,
    });
  }

  /**
   * Starts an authorization: the viewer's integration with the provider (created on first use)
   * gets a fresh nonce, and the answer is the address of `/oauth/<provider>/start` with a signed,
   * short-lived state. A connected integration stays connected until the new callback succeeds.
   */
  async connect(
    reader: Reader,
    viewer: Viewer,
    provider: QuestProvider,
    request: RequestInfo,
  ): Promise<IntegrationAuthorizationNode> {
    if (!this.app.quest.providers[provider].configured) throw new ProviderNotConfiguredError(provider);
    const nonce = OAuthStates.newNonce();
    const integration = await this.pending(viewer, provider, OAuthStates.hashNonce(nonce));
    const { state, expiresAt } = await this.app.quest.states.sign({
      userId: viewer.id,
      workspaceId: viewer.workspaceId,
      integrationId: integration.id,
      provider,
      nonce,
    });
    await this.audit(viewer, integration.id, 'quest.oauth_started', request, { provider });
    return {
      authorizationUrl: `${request.baseUrl}/oauth/${providerPath(provider)}/start?state=${encodeURIComponent(state)}`,
      expiresAt,
      integration: await this.getOrFail(reader, viewer, integration.id),
    };
  }

  private async pending(viewer: Viewer, provider: QuestProvider, nonceHash: string): Promise<Integration> {
    for (let attempt = 0; ; attempt += 1) {
      let integration = await this.em.findOne(Integration, { user: viewer.id, provider });
      integration ??= this.em.create(Integration, { workspace: viewer.workspaceId, user: viewer.id, provider });
      if (integration.status === IntegrationStatus.DISCONNECTED) integration.status = IntegrationStatus.PENDING;
      integration.oauthNonce = nonceHash;
      try {
        await this.em.flush();
        return integration;
      } catch (error) {
        // Two first connects at once: the other created the row; use it.
        if (!(error instanceof UniqueConstraintViolationException) || attempt > 0) throw error;
        this.em.clear();
      }
    }
  }

  /** Revokes the grant at the provider (best effort) and forgets the tokens and the webhook secret. */
  async disconnect(reader: Reader, viewer: Viewer, id: string, request: RequestInfo): Promise<IntegrationRow> {
    const integration = await this.em.findOne(
      Integration,
      { id, user: viewer.id },
      { populate: ['encryptedAccessToken', 'encryptedRefreshToken'] },
    );
    if (!integration) throw new IntegrationNotFoundError(id);
    let revoked: boolean | string = false;
    if (integration.encryptedAccessToken) {
      const ref = { workspaceId: viewer.workspaceId, integrationId: integration.id };
      try {
        const access = openSecret(this.app.secrets, ref, 'encrypted_access_token', integration.encryptedAccessToken);
        const refresh = integration.encryptedRefreshToken
          ? openSecret(this.app.secrets, ref, 'encrypted_refresh_token', integration.encryptedRefreshToken)
          : null;
        await this.app.quest.providers[integration.provider].revoke(access, refresh);
        revoked = true;
      } catch (error) {
        revoked = error instanceof Error ? error.message : String(error);
        this.app.logger.warn({ err: error, integrationId: id }, 'revoking the grant failed; tokens forgotten anyway');
      }
    }
    Object.assign(integration, {
      status: IntegrationStatus.DISCONNECTED,
      encryptedAccessToken: null,
      encryptedRefreshToken: null,
      encryptedWebhookSecret: null,
      oauthNonce: null,
      tokenExpiresAt: null,
      nextSyncAt: null,
      lastError: null,
    });
    await this.em.flush();
    await this.audit(viewer, id, 'quest.integration_disconnected', request, {
      provider: integration.provider,
      revoked: revoked === true,
      ...(typeof revoked === 'string' ? { revokeError: revoked } : {}),
    });
    return this.getOrFail(reader, viewer, id);
  }

  /** A new webhook secret for a GitHub integration, returned this once; the previous one stops working. */
  async createWebhookSecret(
    reader: Reader,
    viewer: Viewer,
    id: string,
    request: RequestInfo,
  ): Promise<GithubWebhookSetupNode> {
    const integration = await this.em.findOne(Integration, { id, user: viewer.id });
    if (!integration) throw new IntegrationNotFoundError(id);
    if (integration.provider !== QuestProvider.GITHUB) {
      throw new IntegrationStateError('only GitHub integrations receive webhooks');
    }
    if (integration.status === IntegrationStatus.DISCONNECTED || integration.status === IntegrationStatus.PENDING) {
      throw new IntegrationStateError('connect GitHub first');
    }
    const secret = randomBytes(32).toString('hex');
    integration.encryptedWebhookSecret = sealSecret(
      this.app.secrets,
      { workspaceId: viewer.workspaceId, integrationId: integration.id },
      'encrypted_webhook_secret',
      secret,
    );
    await this.em.flush();
    await this.audit(viewer, id, 'quest.webhook_secret_created', request, {});
    return {
      payloadUrl: webhookUrl(request.baseUrl, id),
      contentType: 'application/json',
      secret,
      events: GITHUB_WEBHOOK_EVENTS,
      integration: await this.getOrFail(reader, viewer, id),
    };
  }

  /** Syncs a Fitbit integration now. */
  async syncNow(reader: Reader, viewer: Viewer, id: string): Promise<IntegrationSyncResultNode> {
    const row = await this.getOrFail(reader, viewer, id);
    if (row.provider !== QuestProvider.FITBIT) throw new IntegrationStateError('only Fitbit integrations are synced');
    if (row.status !== IntegrationStatus.CONNECTED) throw new IntegrationStateError('the integration is not connected');
    let result;
    try {
      result = await this.app.quest.sync.sync(id);
    } catch (error) {
      if (error instanceof IntegrationStateError) throw error;
      result = { days: 0, events: 0, error: error instanceof Error ? error.message : String(error) };
    }
    return { ...result, integration: await this.getOrFail(reader, viewer, id) };
  }

  private audit(
    viewer: Viewer,
    integrationId: string,
    action: string,
    request: RequestInfo,
    details: Record<string, unknown>,
  ): Promise<void> {
    return new AuditService(this.em).record(
      {
        action,
        success: true,
        workspaceId: viewer.workspaceId,
        userId: viewer.id,
        targetType: 'Integration',
        targetId: integrationId,
        details,
      },
      request,
    );
  }
}

export function webhookUrl(baseUrl: string, integrationId: string): string {
  return `${baseUrl}/webhooks/github/${integrationId}`;
}
