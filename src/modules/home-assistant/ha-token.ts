import type { SecretBox } from '../../common/crypto';

/** What a connection's sealed token is bound to: a copy on another row or workspace does not open. */
function context(workspaceId: string, connectionId: string): string {
  return `ha_connections.encrypted_token:${workspaceId}:${connectionId}`;
}

export function sealToken(box: SecretBox, workspaceId: string, connectionId: string, token: string): string {
  return box.seal(token, context(workspaceId, connectionId));
}

export function openToken(box: SecretBox, workspaceId: string, connectionId: string, sealed: string): string {
  return box.open(sealed, context(workspaceId, connectionId));
}
