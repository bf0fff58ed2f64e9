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
export class TokenService {
  readonly #key: Uint8Array;

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
  async verifyAccess(token: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.wid !== 'string' || typeof payload.sid !== 'string') {
        return null;
      }
      return { userId: payload.sub, workspaceId: payload.wid, sessionId: payload.sid };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
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
