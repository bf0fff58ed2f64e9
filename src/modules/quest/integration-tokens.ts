import { sql } from 'kysely';
import type { App } from '../../app';
import { SecretBoxError } from '../../common/crypto';
import { toDate } from '../../common/scalars';
import type { DB } from '../../db/tables';
import { AuditService } from '../audit/audit.service';
import { openSecret, sealSecret, type IntegrationRef } from './integration-secrets';
import type { OAuthProviders } from './oauth-providers';
import { IntegrationStatus, type QuestProvider } from './quest.enums';
import { IntegrationStateError, ProviderError } from './quest.errors';

const REFRESH_BATCH = 100;

/**
 * Access tokens of connected integrations, refreshed before they expire. A refresh holds the
 * integration's row lock while it asks the provider, so two instances never spend the same
 * (single-use) refresh token; a refused refresh marks the integration ERROR and is audited.
 */
export class IntegrationTokens {
  constructor(
    private readonly app: App,
    private readonly providers: OAuthProviders,
  ) {}

  /** The access token, refreshed first when it expires within the margin (or always, with `force`). */
  async accessToken(integrationId: string, now: Date, force = false): Promise<string> {
    let refused: Error | null = null;
    const em = this.app.orm.em.fork();
    const token = await em.transactional(async (tx) => {
      const db = tx.getKysely<DB>();
      const row = await db
        .selectFrom('integrations')
        .select([
          'id',
          'workspace_id',
          'user_id',
          'provider',
          'status',
          'encrypted_access_token',
          'encrypted_refresh_token',
          'token_expires_at',
        ])
        .where('id', '=', integrationId)
        .forUpdate()
        .executeTakeFirst();
      if (!row || row.status !== IntegrationStatus.CONNECTED || !row.encrypted_access_token) {
        throw new IntegrationStateError('the integration is not connected');
      }
      const ref: IntegrationRef = { workspaceId: row.workspace_id, integrationId: row.id };
      const expiresAt = row.token_expires_at ? toDate(row.token_expires_at) : null;
      const margin = this.app.config.quest.tokenRefreshMarginMs;
      const fresh = !expiresAt || expiresAt.getTime() - now.getTime() > margin;
      try {
        const access = openSecret(this.app.secrets, ref, 'encrypted_access_token', row.encrypted_access_token);
        if (!force && fresh) return access;
        if (!row.encrypted_refresh_token) {
          if (!force && expiresAt && expiresAt.getTime() > now.getTime()) return access;
          throw new ProviderError('the access token expired and there is no refresh token', 401, 'invalid_grant');
        }
        const refreshToken = openSecret(this.app.secrets, ref, 'encrypted_refresh_token', row.encrypted_refresh_token);
        const tokens = await this.providers[row.provider].refresh(refreshToken, now);
        await db
          .updateTable('integrations')
          .set({
            encrypted_access_token: sealSecret(this.app.secrets, ref, 'encrypted_access_token', tokens.accessToken),
            encrypted_refresh_token: tokens.refreshToken
              ? sealSecret(this.app.secrets, ref, 'encrypted_refresh_token', tokens.refreshToken)
              : row.encrypted_refresh_token,
            token_expires_at: tokens.expiresAt,
            ...(tokens.scopes ? { scopes: tokens.scopes } : {}),
            last_error: null,
            updated_at: now,
          })
          .where('id', '=', row.id)
          .execute();
        return tokens.accessToken;
      } catch (error) {
        const gone = error instanceof SecretBoxError || (error instanceof ProviderError && error.grantRevoked);
        if (!gone) throw error;
        const message =
          error instanceof SecretBoxError
            ? 'the stored tokens cannot be decrypted: connect again'
            : `${error.message}: connect again`;
        refused = error instanceof ProviderError ? error : new IntegrationStateError(message);
        await db
          .updateTable('integrations')
          .set({ status: IntegrationStatus.ERROR, last_error: message, updated_at: now })
          .where('id', '=', row.id)
          .execute();
        await new AuditService(tx).record({
          action: 'quest.token_refresh_failed',
          success: false,
          workspaceId: row.workspace_id,
          userId: row.user_id,
          targetType: 'Integration',
          targetId: row.id,
          errorMessage: message,
          details: { provider: row.provider as QuestProvider },
        });
        return null;
      }
    });
    if (token === null) throw refused ?? new IntegrationStateError('the integration is not connected');
    return token;
  }

  /**
   * Refreshes every connected integration whose token expires within the margin (of `workspaceId`
   * when given); returns how many.
   */
  async refreshExpiring(now: Date, workspaceId?: string): Promise<number> {
    const margin = this.app.config.quest.tokenRefreshMarginMs;
    const { rows } = await sql<{ id: string }>`
      select id from integrations
       where status = ${IntegrationStatus.CONNECTED}::integration_status
         and encrypted_refresh_token is not null
         and token_expires_at < ${new Date(now.getTime() + margin)}
         and (${workspaceId ?? null}::uuid is null or workspace_id = ${workspaceId ?? null}::uuid)
       order by token_expires_at
       limit ${REFRESH_BATCH}`.execute(this.app.orm.em.fork().getKysely<DB>());
    let refreshed = 0;
    for (const { id } of rows) {
      try {
        await this.accessToken(id, now);
        refreshed += 1;
      } catch (error) {
        this.app.logger.warn({ err: error, integrationId: id }, 'integration token refresh failed');
      }
    }
    return refreshed;
  }
}
