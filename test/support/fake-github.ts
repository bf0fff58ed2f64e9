import { createHash, randomBytes } from 'node:crypto';
import { basicCredentials, bearer, FakeHttpServer, type Reply, type SeenRequest } from './fake-http';

export interface FakeGithubOptions {
  clientId: string;
  clientSecret: string;
  login: string;
  userId: number;
  /** As GitHub Apps' user tokens: expiring access tokens with refresh tokens. */
  expiring?: boolean;
  expiresIn?: number;
}

interface PendingCode {
  redirectUri: string;
  challenge: string | null;
  scope: string;
}

/**
 * A stand-in for github.com's OAuth endpoints and the REST API's `/user` and grant revocation,
 * speaking GitHub's formats: authorize redirects back with `code` and `state`, the token endpoint
 * answers token errors with HTTP 200 and `{ error, error_description }`, PKCE (S256) is checked.
 */
export class FakeGithub {
  /** Set to make the next authorization be denied by the user. */
  denyNext = false;
  readonly revoked: string[] = [];
  readonly #codes = new Map<string, PendingCode>();
  readonly #tokens = new Set<string>();
  readonly #refresh = new Set<string>();

  private constructor(
    private readonly http: FakeHttpServer,
    readonly options: FakeGithubOptions,
  ) {}

  static async start(options: FakeGithubOptions): Promise<FakeGithub> {
    const holder: { fake?: FakeGithub } = {};
    const http = await FakeHttpServer.start((req) => holder.fake!.handle(req));
    holder.fake = new FakeGithub(http, options);
    return holder.fake;
  }

  get url(): string {
    return this.http.url;
  }

  get requests(): SeenRequest[] {
    return this.http.requests;
  }

  /** The configuration pointing the API at this stand-in. */
  env(): Record<string, string> {
    return {
      GITHUB_CLIENT_ID: this.options.clientId,
      GITHUB_CLIENT_SECRET: this.options.clientSecret,
      GITHUB_AUTHORIZE_URL: `${this.url}/login/oauth/authorize`,
      GITHUB_TOKEN_URL: `${this.url}/login/oauth/access_token`,
      GITHUB_API_URL: `${this.url}/api/v3`,
    };
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(req: SeenRequest): Reply {
    if (req.method === 'GET' && req.path === '/login/oauth/authorize') return this.authorize(req);
    if (req.method === 'POST' && req.path === '/login/oauth/access_token') return this.token(req);
    if (req.method === 'GET' && req.path === '/api/v3/user') return this.user(req);
    const grant = /^\/api\/v3\/applications\/([^/]+)\/grant$/.exec(req.path);
    if (req.method === 'DELETE' && grant) return this.revoke(req, decodeURIComponent(grant[1]!));
    return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
  }

  private authorize(req: SeenRequest): Reply {
    const q = req.query;
    if (q.get('client_id') !== this.options.clientId) return { status: 404, body: 'Not Found' };
    const redirect = new URL(q.get('redirect_uri') ?? '');
    const state = q.get('state');
    if (this.denyNext) {
      this.denyNext = false;
      redirect.searchParams.set('error', 'access_denied');
      redirect.searchParams.set('error_description', 'The user has denied your application access.');
      redirect.searchParams.set(
        'error_uri',
        'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied',
      );
    } else {
      const code = randomBytes(10).toString('hex');
      this.#codes.set(code, {
        redirectUri: q.get('redirect_uri') ?? '',
        challenge: q.get('code_challenge_method') === 'S256' ? q.get('code_challenge') : null,
        scope: q.get('scope') ?? '',
      });
      redirect.searchParams.set('code', code);
    }
    if (state !== null) redirect.searchParams.set('state', state);
    return { status: 302, headers: { location: redirect.toString() } };
  }

  private token(req: SeenRequest): Reply {
    const form = new URLSearchParams(req.body);
    const error = (error: string, description: string): Reply => ({
      status: 200,
      body: { error, error_description: description, error_uri: `https://docs.github.com/apps/${error}` },
    });
    if (form.get('client_id') !== this.options.clientId || form.get('client_secret') !== this.options.clientSecret) {
      return error('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
    }
    let scope = 'read:user';
    if (form.get('grant_type') === 'refresh_token') {
      const refresh = form.get('refresh_token') ?? '';
      if (!this.#refresh.delete(refresh))
        return error('bad_refresh_token', 'The refresh token passed is incorrect or expired.');
    } else {
      const code = this.#codes.get(form.get('code') ?? '');
      if (!code) return error('bad_verification_code', 'The code passed is incorrect or expired.');
      this.#codes.delete(form.get('code') ?? '');
      if (form.get('redirect_uri') !== code.redirectUri) {
        return error(
          'redirect_uri_mismatch',
          'The redirect_uri MUST match the registered callback URL for this application.',
        );
      }
      const verifier = form.get('code_verifier') ?? '';
      if (code.challenge && createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
        return error(
          'invalid_grant',
          'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
        );
      }
      scope = code.scope.split(' ').join(',');
    }
    const accessToken = `${this.options.expiring ? 'ghu' : 'gho'}_${randomBytes(18).toString('base64url')}`;
    this.#tokens.add(accessToken);
    if (!this.options.expiring)
      return { status: 200, body: { access_token: accessToken, token_type: 'bearer', scope } };
    const refreshToken = `ghr_${randomBytes(30).toString('base64url')}`;
    this.#refresh.add(refreshToken);
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_in: this.options.expiresIn ?? 28_800,
        refresh_token: refreshToken,
        refresh_token_expires_in: 15_811_200,
        scope: '',
        token_type: 'bearer',
      },
    };
  }

  private user(req: SeenRequest): Reply {
    const token = bearer(req.headers.authorization);
    if (!token || !this.#tokens.has(token)) {
      return {
        status: 401,
        body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
      };
    }
    return {
      status: 200,
      body: {
        login: this.options.login,
        id: this.options.userId,
        node_id: `MDQ6VXNlcj${this.options.userId}`,
        type: 'User',
        name: 'Octo Cat',
        html_url: `https://github.com/${this.options.login}`,
      },
    };
  }

  private revoke(req: SeenRequest, clientId: string): Reply {
    const credentials = basicCredentials(req.headers.authorization);
    if (!credentials || credentials[0] !== clientId || credentials[1] !== this.options.clientSecret) {
      return { status: 404, body: { message: 'Not Found' } };
    }
    const token = (JSON.parse(req.body || '{}') as { access_token?: string }).access_token ?? '';
    this.#tokens.delete(token);
    this.revoked.push(token);
    return { status: 204 };
  }
}
