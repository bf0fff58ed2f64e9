import type { App } from '../../app';
import type { RequestInfo } from '../../context';
import { TENANT_FILTER, type TenantFilterArgs } from '../../db/orm-options';
import type { DB } from '../../db/tables';
import { AuditService } from '../audit/audit.service';
import { sealSecret, type IntegrationRef } from './integration-secrets';
import { Integration } from './integration.entity';
import { providerPath } from './integrations.read';
import { OAuthStates, STATE_TTL_SECONDS, type OAuthStateClaims } from './oauth-state';
import { IntegrationStatus, QuestProvider } from './quest.enums';
import { ProviderError } from './quest.errors';

/** What the HTTP route answers: a redirect (with a cookie to set or clear) or a page. */
export interface FlowAnswer {
  status: number;
  redirect?: string;
  message?: string;
  cookie?: { name: string; value: string; path: string; maxAgeSeconds: number };
}

export const nonceCookie = (provider: QuestProvider) => `homeos_oauth_${providerPath(provider)}`;
const cookiePath = (provider: QuestProvider) => `/oauth/${providerPath(provider)}`;

/**
 * The browser half of the OAuth 2 authorization-code flow. `start` checks the signed state from
 * `connectIntegration`, binds it to the browser with a cookie and sends the browser to the
 * provider (with PKCE). `callback` accepts only a valid, unexpired state of this provider, from the
 * browser that started it, whose nonce the integration still awaits (each state works once); it
 * exchanges the code, reads the account and stores the tokens sealed.
 */
export class OAuthFlow {
  constructor(private readonly app: App) {}

  async start(provider: QuestProvider, state: unknown, baseUrl: string): Promise<FlowAnswer> {
    const claims = await this.app.quest.states.verify(state, provider);
    if (!claims) return { status: 400, message: 'This link is invalid or has expired. Start again from the app.' };
    const oauth = this.app.quest.providers[provider];
    if (!oauth.configured) return { status: 400, message: `${oauth.label} is not configured on this server.` };
    const verifier = this.app.quest.states.codeVerifier(claims.nonce);
    return {
      status: 302,
      redirect: oauth.authorizationUrl({
        state: state as string,
        redirectUri: redirectUri(baseUrl, provider),
        codeChallenge: OAuthStates.codeChallenge(verifier),
      }),
      cookie: {
        name: nonceCookie(provider),
        value: claims.nonce,
        path: cookiePath(provider),
        maxAgeSeconds: STATE_TTL_SECONDS,
      },
    };
  }

  async callback(
    provider: QuestProvider,
    query: Record<string, unknown>,
    cookieNonce: string | null,
    request: RequestInfo,
  ): Promise<FlowAnswer> {
    const started = performance.now();
    const oauth = this.app.quest.providers[provider];
    const claims = await this.app.quest.states.verify(query.state, provider);
    // The cookie is cleared only once this browser's authorization was consumed: a forged callback
    // must not break the one in progress.
    let consumed = false;
    const fail = async (status: number, reason: string, message: string, known?: OAuthStateClaims) => {
      await new AuditService(this.app.orm.em.fork()).record(
        {
          action: 'quest.oauth_failed',
          success: false,
          workspaceId: known?.workspaceId ?? null,
          userId: known?.userId ?? null,
          targetType: 'Integration',
          targetId: known?.integrationId ?? null,
          errorMessage: reason,
          durationMs: Math.round(performance.now() - started),
          details: { provider },
        },
        request,
      );
      return this.finish(provider, known?.integrationId ?? null, status, message, false, consumed);
    };
    if (!claims) return fail(400, 'invalid state', 'The authorization state is invalid or has expired.');
    if (cookieNonce !== claims.nonce) {
      return fail(400, 'state not from this browser', 'This authorization was started in another browser.', claims);
    }
    if (!(await this.consume(claims))) {
      return fail(400, 'state already used', 'This authorization was already completed or replaced.', claims);
    }
    consumed = true;
    const ref: IntegrationRef = { workspaceId: claims.workspaceId, integrationId: claims.integrationId };
    if (typeof query.error === 'string') {
      const reason = `${oauth.label}: ${query.error}${typeof query.error_description === 'string' ? ` (${query.error_description})` : ''}`;
      await this.recordError(ref, reason.slice(0, 500));
      return fail(400, reason, `${oauth.label} did not authorize the connection.`, claims);
    }
    if (typeof query.code !== 'string' || query.code.length === 0 || query.code.length > 2000) {
      return fail(400, 'no code', `${oauth.label} sent no authorization code.`, claims);
    }
    const now = this.app.clock();
    try {
      const verifier = this.app.quest.states.codeVerifier(claims.nonce);
      const tokens = await oauth.exchangeCode(query.code, redirectUri(request.baseUrl, provider), verifier, now);
      const account = await oauth.account(tokens.accessToken);
      const em = this.app.orm.em.fork();
      em.setFilterParams(TENANT_FILTER, { workspaceId: claims.workspaceId } satisfies TenantFilterArgs);
      const integration = await em.findOneOrFail(Integration, { id: claims.integrationId, user: claims.userId });
      const seal = (column: Parameters<typeof sealSecret>[2], value: string) =>
        sealSecret(this.app.secrets, ref, column, value);
      Object.assign(integration, {
        status: IntegrationStatus.CONNECTED,
        encryptedAccessToken: seal('encrypted_access_token', tokens.accessToken),
        encryptedRefreshToken: tokens.refreshToken ? seal('encrypted_refresh_token', tokens.refreshToken) : null,
        tokenExpiresAt: tokens.expiresAt,
        scopes: tokens.scopes ?? oauth.settings.scopes,
        accountId: account.accountId.slice(0, 100),
        accountName: account.accountName?.slice(0, 255) ?? null,
        timeZone: account.timeZone?.slice(0, 64) ?? null,
        connectedAt: now,
        lastError: null,
        nextSyncAt: provider === QuestProvider.FITBIT ? now : null,
      });
      await em.flush();
      await new AuditService(em).record(
        {
          action: 'quest.integration_connected',
          success: true,
          workspaceId: claims.workspaceId,
          userId: claims.userId,
          targetType: 'Integration',
          targetId: claims.integrationId,
          durationMs: Math.round(performance.now() - started),
          details: { provider, accountId: account.accountId, accountName: account.accountName },
        },
        request,
      );
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      await this.recordError(ref, error.message.slice(0, 500));
      return fail(502, error.message, `${oauth.label} did not complete the connection: ${error.message}`, claims);
    }
    const done = `${oauth.label} is connected. You can close this window.`;
    return this.finish(provider, claims.integrationId, 200, done, true, true);
  }

  /** Clears the integration's awaited nonce if it is this state's: true once per state. */
  private async consume(claims: OAuthStateClaims): Promise<boolean> {
    const updated = await this.app.orm.em
      .fork()
      .getKysely<DB>()
      .updateTable('integrations')
      .set({ oauth_nonce: null })
      .where('id', '=', claims.integrationId)
      .where('user_id', '=', claims.userId)
      .where('workspace_id', '=', claims.workspaceId)
      .where('provider', '=', claims.provider)
      .where('oauth_nonce', '=', OAuthStates.hashNonce(claims.nonce))
      .returning('id')
      .executeTakeFirst();
    return updated !== undefined;
  }

  private async recordError(ref: IntegrationRef, message: string): Promise<void> {
    await this.app.orm.em
      .fork()
      .getKysely<DB>()
      .updateTable('integrations')
      .set({ last_error: message, updated_at: this.app.clock() })
      .where('id', '=', ref.integrationId)
      .where('workspace_id', '=', ref.workspaceId)
      .execute();
  }

  /** Back to the app (`QUEST_OAUTH_RETURN_URL`) with the outcome, or a plain page. */
  private finish(
    provider: QuestProvider,
    integrationId: string | null,
    status: number,
    message: string,
    ok: boolean,
    clearCookie: boolean,
  ): FlowAnswer {
    const cookie = clearCookie
      ? { cookie: { name: nonceCookie(provider), value: '', path: cookiePath(provider), maxAgeSeconds: 0 } }
      : {};
    const returnUrl = this.app.config.quest.oauthReturnUrl;
    if (!returnUrl) return { status, message, ...cookie };
    const url = new URL(returnUrl);
    url.searchParams.set('provider', provider);
    url.searchParams.set('status', ok ? 'connected' : 'error');
    if (integrationId) url.searchParams.set('integration', integrationId);
    if (!ok) url.searchParams.set('error', message);
    return { status: 302, redirect: url.toString(), ...cookie };
  }
}

export function redirectUri(baseUrl: string, provider: QuestProvider): string {
  return `${baseUrl}/oauth/${providerPath(provider)}/callback`;
}
