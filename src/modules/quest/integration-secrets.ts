import type { SecretBox } from '../../common/crypto';

/** The sealed columns of an integration. */
export type IntegrationSecret = 'encrypted_access_token' | 'encrypted_refresh_token' | 'encrypted_webhook_secret';

/**
 * What a sealed value is bound to: its column, workspace and row. A copy in another column, row or
 * workspace does not open (so an access token cannot be passed off as a webhook secret).
 */
function context(column: IntegrationSecret, workspaceId: string, integrationId: string): string {
  return `integrations.${column}:${workspaceId}:${integrationId}`;
}

export interface IntegrationRef {
  workspaceId: string;
  integrationId: string;
}

export function sealSecret(box: SecretBox, ref: IntegrationRef, column: IntegrationSecret, value: string): string {
  return box.seal(value, context(column, ref.workspaceId, ref.integrationId));
}

export function openSecret(box: SecretBox, ref: IntegrationRef, column: IntegrationSecret, sealed: string): string {
  return box.open(sealed, context(column, ref.workspaceId, ref.integrationId));
}
