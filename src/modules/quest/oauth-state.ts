import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { QuestProvider } from './quest.enums';

export interface OAuthStateClaims {
  userId: string;
  workspaceId: string;
  integrationId: string;
  provider: QuestProvider;
  /** Random, one per authorization: bound to the browser (cookie) and to the row (its hash). */
  nonce: string;
}

const ISSUER = 'homeos-api';
const AUDIENCE = 'homeos-api/oauth-state';
export const STATE_TTL_SECONDS = 600;

/**
 * The OAuth `state`: a short-lived HS256 JWT naming the user, workspace, integration and provider,
 * with a nonce. Its key is derived from the token-signing secret for this use only. The PKCE
 * verifier is derived from the nonce with the same key, so it is never stored nor sent anywhere
 * but to the provider's token endpoint.
 */
export class OAuthStates {
  readonly #key: Uint8Array;

  constructor(
    secret: string,
    private readonly clock: () => Date,
  ) {
    this.#key = new Uint8Array(hkdfSync('sha256', secret, 'homeos-api', 'quest oauth state', 32));
  }

  static newNonce(): string {
    return randomBytes(24).toString('base64url');
  }

  /** What the integration row keeps of a nonce. */
  static hashNonce(nonce: string): string {
    return createHash('sha256').update(nonce).digest('hex');
  }

  async sign(claims: OAuthStateClaims): Promise<{ state: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.clock().getTime() / 1000);
    const expiresAt = issuedAt + STATE_TTL_SECONDS;
    const state = await new SignJWT({
      wid: claims.workspaceId,
      iid: claims.integrationId,
      prv: claims.provider,
      nonce: claims.nonce,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.#key);
    return { state, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The claims of a valid, unexpired state for `provider`; `null` for anything else. */
  async verify(state: unknown, provider: QuestProvider): Promise<OAuthStateClaims | null> {
    if (typeof state !== 'string' || state.length > 2000) return null;
    try {
      const { payload } = await jwtVerify(state, this.#key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        currentDate: this.clock(),
      });
      const { sub, wid, iid, prv, nonce } = payload;
      if (
        typeof sub !== 'string' ||
        typeof wid !== 'string' ||
        typeof iid !== 'string' ||
        typeof nonce !== 'string' ||
        prv !== provider
      ) {
        return null;
      }
      return { userId: sub, workspaceId: wid, integrationId: iid, provider, nonce };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
  }

  /** The PKCE code verifier of an authorization (43 characters of base64url). */
  codeVerifier(nonce: string): string {
    return createHmac('sha256', this.#key).update(`pkce:${nonce}`).digest('base64url');
  }

  static codeChallenge(verifier: string): string {
    return createHash('sha256').update(verifier).digest('base64url');
  }
}
