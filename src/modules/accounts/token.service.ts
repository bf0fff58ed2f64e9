import { createHash, randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

export interface AccessClaims {
  userId: string;
  workspaceId: string;
  sessionId: string;
}

export interface SignedAccessToken {
  token: string;
  expiresAt: Date;
}

const ISSUER = 'homeos-api';
const AUDIENCE = 'homeos-api';

/** Signs and verifies access tokens (HS256 JWTs) and makes opaque refresh tokens. */
const VERIFIED_CACHE_SIZE = 10_000;

export class TokenService {
  readonly #key: Uint8Array;
  /** Tokens whose signature was already checked, with their expiry (most recently used last). */
  readonly #verified = new Map<string, { claims: AccessClaims; expiresAtMs: number }>();

  constructor(
    secret: string,
    private readonly accessTtlSeconds: number,
  ) {
    this.#key = new TextEncoder().encode(secret);
  }

  async signAccess(claims: AccessClaims, now = new Date()): Promise<SignedAccessToken> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + this.accessTtlSeconds;
    const token = await new SignJWT({ wid: claims.workspaceId, sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.#key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The claims of a valid token, or `null` for a malformed, forged or expired one. */
  async verifyAccess(token: string, now = Date.now()): Promise<AccessClaims | null> {
    const known = this.#verified.get(token);
    if (known) {
      this.#verified.delete(token);
      if (known.expiresAtMs <= now) return null;
      this.#verified.set(token, known);
      return known.claims;
    }
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.wid !== 'string' || typeof payload.sid !== 'string') {
        return null;
      }
      const claims = { userId: payload.sub, workspaceId: payload.wid, sessionId: payload.sid };
      this.remember(token, claims, (payload.exp ?? 0) * 1000);
      return claims;
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
  }

  /**
   * A signature check costs far more than a map lookup, and a client sends the same token for
   * minutes: keep the verified ones (bounded, least recently used out). Expiry is still checked on
   * every use, and revocation is checked against the session on every request.
   */
  private remember(token: string, claims: AccessClaims, expiresAtMs: number): void {
    this.#verified.set(token, { claims, expiresAtMs });
    if (this.#verified.size > VERIFIED_CACHE_SIZE) {
      const oldest = this.#verified.keys().next().value;
      if (oldest !== undefined) this.#verified.delete(oldest);
    }
  }

  /** A new random refresh token and the hash under which it is stored. */
  newRefreshToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: hashToken(token) };
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** `Bearer abc` → `abc`; anything else → `null`. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
