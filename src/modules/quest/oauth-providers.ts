import type { OAuthProviderSettings, QuestSettings } from '../../config';
import { asRecord, basicAuth, form, jsonBody, retryAfter, send } from './provider-http';
import { QuestProvider } from './quest.enums';
import { ProviderError } from './quest.errors';

/** Tokens as a provider granted them. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  /** Null when the provider did not say (keep what was granted before). */
  scopes: string[] | null;
}

export interface AccountInfo {
  accountId: string;
  accountName: string | null;
  timeZone: string | null;
}

export interface AuthorizationRequest {
  state: string;
  redirectUri: string;
  /** PKCE (S256). */
  codeChallenge: string;
}

/** The OAuth 2 authorization-code flow with one provider, in its own dialect. */
export abstract class OAuthProvider {
  abstract readonly id: QuestProvider;
  abstract readonly label: string;

  constructor(readonly settings: OAuthProviderSettings) {}

  get configured(): boolean {
    return Boolean(this.settings.clientId && this.settings.clientSecret);
  }

  protected get clientId(): string {
    return this.settings.clientId ?? '';
  }

  protected get clientSecret(): string {
    return this.settings.clientSecret ?? '';
  }

  authorizationUrl(request: AuthorizationRequest): string {
    const url = new URL(this.settings.authorizeUrl);
    const params: Record<string, string> = {
      ...this.extraAuthorizationParams(),
      client_id: this.clientId,
      redirect_uri: request.redirectUri,
      scope: this.settings.scopes.join(' '),
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  protected extraAuthorizationParams(): Record<string, string> {
    return {};
  }

  abstract exchangeCode(code: string, redirectUri: string, codeVerifier: string, now: Date): Promise<TokenSet>;
  abstract refresh(refreshToken: string, now: Date): Promise<TokenSet>;
  abstract account(accessToken: string): Promise<AccountInfo>;
  /** Revokes the grant at the provider (best effort: the caller forgets the tokens anyway). */
  abstract revoke(accessToken: string, refreshToken: string | null): Promise<void>;

  protected tokenSet(body: Record<string, unknown>, now: Date, scopeSeparator: RegExp): TokenSet {
    const accessToken = body.access_token;
    if (typeof accessToken !== 'string' || accessToken.length === 0) {
      throw new ProviderError(`${this.label} answered without an access token`);
    }
    const expiresIn = Number(body.expires_in);
    return {
      accessToken,
      refreshToken: typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : null,
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(now.getTime() + expiresIn * 1000) : null,
      scopes: typeof body.scope === 'string' ? body.scope.split(scopeSeparator).filter(Boolean) : null,
    };
  }
}

/** GitHub OAuth apps (and GitHub Apps' user tokens, which expire and refresh). */
export class GithubOAuth extends OAuthProvider {
  readonly id = QuestProvider.GITHUB;
  readonly label = 'GitHub';

  exchangeCode(code: string, redirectUri: string, codeVerifier: string, now: Date): Promise<TokenSet> {
    return this.token({ code, redirect_uri: redirectUri, code_verifier: codeVerifier }, now);
  }

  refresh(refreshToken: string, now: Date): Promise<TokenSet> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, now);
  }

  /** GitHub answers token errors with HTTP 200 and `{ error, error_description }`. */
  private async token(params: Record<string, string>, now: Date): Promise<TokenSet> {
    const response = await send(this.settings.tokenUrl, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ client_id: this.clientId, client_secret: this.clientSecret, ...params }),
    });
    const body = asRecord(await jsonBody(response, 'GitHub token endpoint'));
    if (typeof body.error === 'string' || !response.ok) {
      const code = typeof body.error === 'string' ? body.error : null;
      const description = typeof body.error_description === 'string' ? body.error_description : null;
      const type = code === 'bad_verification_code' || code === 'bad_refresh_token' ? 'invalid_grant' : code;
      throw new ProviderError(
        `GitHub refused: ${description ?? code ?? `HTTP ${response.status}`}`,
        response.status,
        type,
      );
    }
    return this.tokenSet(body, now, /[,\s]+/);
  }

  async account(accessToken: string): Promise<AccountInfo> {
    const response = await send(`${this.settings.apiUrl}/user`, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${accessToken}`,
        'x-github-api-version': '2022-11-28',
      },
    });
    const body = asRecord(await jsonBody(response, 'GitHub /user'));
    if (!response.ok) {
      throw new ProviderError(
        `GitHub /user: ${String(body.message ?? `HTTP ${response.status}`)}`,
        response.status,
        response.status === 401 ? 'invalid_token' : null,
      );
    }
    if ((typeof body.id !== 'number' && typeof body.id !== 'string') || typeof body.login !== 'string') {
      throw new ProviderError('GitHub /user answered without an id and login');
    }
    return { accountId: String(body.id), accountName: body.login, timeZone: null };
  }

  async revoke(accessToken: string): Promise<void> {
    const response = await send(`${this.settings.apiUrl}/applications/${encodeURIComponent(this.clientId)}/grant`, {
      method: 'DELETE',
      headers: {
        accept: 'application/vnd.github+json',
        authorization: basicAuth(this.clientId, this.clientSecret),
        'content-type': 'application/json',
        'x-github-api-version': '2022-11-28',
      },
      body: JSON.stringify({ access_token: accessToken }),
    });
    await response.body?.cancel();
    if (!response.ok && response.status !== 404) {
      throw new ProviderError(`GitHub did not revoke the grant: HTTP ${response.status}`, response.status);
    }
  }
}

/** Fitbit Web API (OAuth 2 with PKCE; access tokens last hours, refresh tokens are single-use). */
export class FitbitOAuth extends OAuthProvider {
  readonly id = QuestProvider.FITBIT;
  readonly label = 'Fitbit';

  protected override extraAuthorizationParams(): Record<string, string> {
    return { response_type: 'code' };
  }

  exchangeCode(code: string, redirectUri: string, codeVerifier: string, now: Date): Promise<TokenSet> {
    return this.token(
      {
        grant_type: 'authorization_code',
        client_id: this.clientId,
        code,
        redirect_uri: redirectUri,
        code_verifier: codeVerifier,
      },
      now,
    );
  }

  refresh(refreshToken: string, now: Date): Promise<TokenSet> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, now);
  }

  private async token(params: Record<string, string>, now: Date): Promise<TokenSet> {
    const response = await send(this.settings.tokenUrl, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        authorization: basicAuth(this.clientId, this.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form(params),
    });
    const body = asRecord(await jsonBody(response, 'Fitbit token endpoint'));
    if (!response.ok) throw fitbitError(response, body, 'Fitbit refused');
    return this.tokenSet(body, now, /\s+/);
  }

  async account(accessToken: string): Promise<AccountInfo> {
    const response = await send(`${this.settings.apiUrl}/1/user/-/profile.json`, {
      headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` },
    });
    const body = asRecord(await jsonBody(response, 'Fitbit profile'));
    if (!response.ok) throw fitbitError(response, body, 'Fitbit profile');
    const user = asRecord(body.user);
    if (typeof user.encodedId !== 'string') throw new ProviderError('Fitbit profile answered without a user id');
    return {
      accountId: user.encodedId,
      accountName: typeof user.displayName === 'string' ? user.displayName : null,
      timeZone: typeof user.timezone === 'string' ? user.timezone : null,
    };
  }

  async revoke(accessToken: string, refreshToken: string | null): Promise<void> {
    const response = await send(`${this.settings.apiUrl}/oauth2/revoke`, {
      method: 'POST',
      headers: {
        authorization: basicAuth(this.clientId, this.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form({ token: refreshToken ?? accessToken }),
    });
    await response.body?.cancel();
    if (!response.ok)
      throw new ProviderError(`Fitbit did not revoke the grant: HTTP ${response.status}`, response.status);
  }
}

/** A `ProviderError` from Fitbit's error body `{ errors: [{ errorType, message }] }`. */
export function fitbitError(response: Response, body: Record<string, unknown>, what: string): ProviderError {
  const first = Array.isArray(body.errors) ? asRecord(body.errors[0]) : {};
  const type = typeof first.errorType === 'string' ? first.errorType : null;
  const message = typeof first.message === 'string' ? first.message : `HTTP ${response.status}`;
  return new ProviderError(`${what}: ${message}`, response.status, type, retryAfter(response));
}

export type OAuthProviders = Record<QuestProvider, OAuthProvider>;

export function createProviders(settings: QuestSettings): OAuthProviders {
  return {
    [QuestProvider.GITHUB]: new GithubOAuth(settings.github),
    [QuestProvider.FITBIT]: new FitbitOAuth(settings.fitbit),
  };
}
