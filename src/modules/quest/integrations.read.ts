import { sql } from 'kysely';
import type { ScopedQuery } from '../../common/reader';
import type { IntegrationNode } from './integration.types';

/** The columns of an `Integration` node: never a token, the secret, or the pending nonce. */
export const selectIntegration = (q: ScopedQuery<'integrations'>) =>
  q.select([
    'integrations.id',
    'integrations.provider',
    'integrations.status',
    'integrations.account_id as accountId',
    'integrations.account_name as accountName',
    'integrations.scopes',
    'integrations.token_expires_at as tokenExpiresAt',
    sql<boolean>`integrations.encrypted_webhook_secret is not null`.as('webhookSecretSet'),
    'integrations.connected_at as connectedAt',
    'integrations.last_synced_at as lastSyncedAt',
    'integrations.next_sync_at as nextSyncAt',
    'integrations.last_error as lastError',
    'integrations.created_at as createdAt',
    'integrations.updated_at as updatedAt',
  ]);

export type IntegrationRow = IntegrationNode;

/** `github` → the path segment of a provider in the OAuth and webhook routes. */
export const providerPath = (provider: string) => provider.toLowerCase();
