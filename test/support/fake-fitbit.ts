import { createHash, randomBytes } from 'node:crypto';
import { basicCredentials, bearer, FakeHttpServer, type Reply, type SeenRequest } from './fake-http';

export interface FakeFitbitOptions {
  clientId: string;
  clientSecret: string;
  userId: string;
  displayName: string;
  timezone: string;
  /** Lifetime of access tokens, seconds (Fitbit: 28800). */
  expiresIn?: number;
}

export interface FitbitDayData {
  steps?: number;
  minutesFairlyActive?: number;
  minutesVeryActive?: number;
  /** Minutes asleep of each sleep log ending on this date. */
  sleep?: number[];
}

const RESOURCES = new Set(['steps', 'minutesFairlyActive', 'minutesVeryActive']);

/**
 * A stand-in for the Fitbit Web API: OAuth 2 (authorization code with PKCE, Basic client
 * authentication, single-use refresh tokens), the profile, activity time series and sleep logs by
 * date range, token revocation, and its error body `{ errors: [{ errorType, message }], success: false }`.
 */
export class FakeFitbit {
  readonly days = new Map<string, FitbitDayData>();
  /** Set to answer the next data request with HTTP 429 and this Retry-After (seconds). */
  rateLimitNext: number | null = null;
  readonly revoked: string[] = [];
  readonly #codes = new Map<string, { redirectUri: string; challenge: string; scope: string }>();
  /** access token → still valid */
  readonly #access = new Map<string, boolean>();
  readonly #refresh = new Set<string>();

  private constructor(
    private readonly http: FakeHttpServer,
    readonly options: FakeFitbitOptions,
  ) {}

  static async start(options: FakeFitbitOptions): Promise<FakeFitbit> {
    const holder: { fake?: FakeFitbit } = {};
    const http = await FakeHttpServer.start((req) => holder.fake!.handle(req));
    holder.fake = new FakeFitbit(http, options);
    return holder.fake;
  }

  get url(): string {
    return this.http.url;
  }

  get requests(): SeenRequest[] {
    return this.http.requests;
  }

  env(): Record<string, string> {
    return {
      FITBIT_CLIENT_ID: this.options.clientId,
      FITBIT_CLIENT_SECRET: this.options.clientSecret,
      FITBIT_AUTHORIZE_URL: `${this.url}/oauth2/authorize`,
      FITBIT_TOKEN_URL: `${this.url}/oauth2/token`,
      FITBIT_API_URL: this.url,
    };
  }

  setDay(date: string, data: FitbitDayData): void {
    this.days.set(date, { ...this.days.get(date), ...data });
  }

  /** Every access token issued so far is now expired (as after 8 hours). */
  expireAccessTokens(): void {
    for (const token of this.#access.keys()) this.#access.set(token, false);
  }

  /** The user removed the app's access: every token stops working. */
  revokeAll(): void {
    this.#access.clear();
    this.#refresh.clear();
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(req: SeenRequest): Reply {
    if (req.method === 'GET' && req.path === '/oauth2/authorize') return this.authorize(req);
    if (req.method === 'POST' && req.path === '/oauth2/token') return this.token(req);
    if (req.method === 'POST' && req.path === '/oauth2/revoke') return this.revoke(req);
    const denied = this.checkToken(req);
    if (denied) return denied;
    if (this.rateLimitNext !== null) {
      const retryAfter = String(this.rateLimitNext);
      this.rateLimitNext = null;
      const limited = fitbitError(429, 'system', 'Too Many Requests');
      return { ...limited, headers: { 'retry-after': retryAfter, 'fitbit-rate-limit-remaining': '0' } };
    }
    if (req.method === 'GET' && req.path === '/1/user/-/profile.json') return this.profile();
    const series = /^\/1\/user\/-\/activities\/(\w+)\/date\/(\d{4}-\d\d-\d\d)\/(\d{4}-\d\d-\d\d)\.json$/.exec(req.path);
    if (req.method === 'GET' && series && RESOURCES.has(series[1]!))
      return this.series(series[1]!, series[2]!, series[3]!);
    const sleep = /^\/1\.2\/user\/-\/sleep\/date\/(\d{4}-\d\d-\d\d)\/(\d{4}-\d\d-\d\d)\.json$/.exec(req.path);
    if (req.method === 'GET' && sleep) return this.sleep(sleep[1]!, sleep[2]!);
    return fitbitError(404, 'not_found', 'The API you are requesting could not be found.');
  }

  private authorize(req: SeenRequest): Reply {
    const q = req.query;
    if (q.get('client_id') !== this.options.clientId || q.get('response_type') !== 'code') {
      return { status: 400, body: 'Invalid client_id or response_type' };
    }
    if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
      return { status: 400, body: 'PKCE is required' };
    }
    const code = randomBytes(20).toString('hex');
    this.#codes.set(code, {
      redirectUri: q.get('redirect_uri') ?? '',
      challenge: q.get('code_challenge') ?? '',
      scope: q.get('scope') ?? '',
    });
    const redirect = new URL(q.get('redirect_uri') ?? '');
    redirect.searchParams.set('code', code);
    if (q.get('state') !== null) redirect.searchParams.set('state', q.get('state')!);
    // Fitbit appends this fragment to its redirects.
    return { status: 302, headers: { location: `${redirect.toString()}#_=_` } };
  }

  private token(req: SeenRequest): Reply {
    const credentials = basicCredentials(req.headers.authorization);
    if (!credentials || credentials[0] !== this.options.clientId || credentials[1] !== this.options.clientSecret) {
      return fitbitError(401, 'invalid_client', 'Invalid authorization header format.');
    }
    const form = new URLSearchParams(req.body);
    let scope = 'activity sleep profile';
    if (form.get('grant_type') === 'refresh_token') {
      if (!this.#refresh.delete(form.get('refresh_token') ?? '')) {
        return fitbitError(400, 'invalid_grant', `Refresh token invalid: ${form.get('refresh_token')}.`);
      }
    } else if (form.get('grant_type') === 'authorization_code') {
      const code = this.#codes.get(form.get('code') ?? '');
      if (!code) return fitbitError(400, 'invalid_grant', `Authorization code invalid: ${form.get('code')}`);
      this.#codes.delete(form.get('code') ?? '');
      if (code.redirectUri !== form.get('redirect_uri')) {
        return fitbitError(400, 'invalid_request', 'Invalid redirect_uri parameter value');
      }
      if (
        createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url') !== code.challenge
      ) {
        return fitbitError(400, 'invalid_grant', 'Invalid code_verifier parameter value');
      }
      scope = code.scope;
    } else {
      return fitbitError(400, 'unsupported_grant_type', 'The grant type is not supported.');
    }
    const accessToken = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(24).toString('base64url')}`;
    const refreshToken = randomBytes(32).toString('hex');
    this.#access.set(accessToken, true);
    this.#refresh.add(refreshToken);
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_in: this.options.expiresIn ?? 28_800,
        refresh_token: refreshToken,
        scope,
        token_type: 'Bearer',
        user_id: this.options.userId,
      },
    };
  }

  private revoke(req: SeenRequest): Reply {
    const token = new URLSearchParams(req.body).get('token') ?? '';
    this.revoked.push(token);
    this.#refresh.delete(token);
    this.#access.delete(token);
    return { status: 200, body: {} };
  }

  private checkToken(req: SeenRequest): Reply | null {
    const token = bearer(req.headers.authorization);
    const valid = token ? this.#access.get(token) : undefined;
    if (valid === true) return null;
    if (valid === false) {
      return fitbitError(
        401,
        'expired_token',
        `Access token expired: ${token}. Visit https://dev.fitbit.com/docs/oauth2 for more information on the Fitbit Web API authorization process.`,
      );
    }
    return fitbitError(
      401,
      'invalid_token',
      `Access token invalid: ${token}. Visit https://dev.fitbit.com/docs/oauth2 for more information on the Fitbit Web API authorization process.`,
    );
  }

  private profile(): Reply {
    return {
      status: 200,
      body: {
        user: {
          encodedId: this.options.userId,
          displayName: this.options.displayName,
          fullName: this.options.displayName,
          timezone: this.options.timezone,
          offsetFromUTCMillis: 3_600_000,
          memberSince: '2021-03-01',
          strideLengthWalking: 72.5,
        },
      },
    };
  }

  private series(resource: string, start: string, end: string): Reply {
    const items = dates(start, end).map((date) => ({
      dateTime: date,
      value: String((this.days.get(date) as Record<string, unknown> | undefined)?.[resource] ?? 0),
    }));
    return withRateLimit({ status: 200, body: { [`activities-${resource}`]: items } });
  }

  private sleep(start: string, end: string): Reply {
    let logId = 41_000_000_000;
    const sleep = dates(start, end).flatMap((date) =>
      (this.days.get(date)?.sleep ?? []).map((minutesAsleep, i) => ({
        dateOfSleep: date,
        duration: (minutesAsleep + 30) * 60_000,
        efficiency: 93,
        endTime: `${date}T07:${String(10 + i).padStart(2, '0')}:00.000`,
        infoCode: 0,
        isMainSleep: i === 0,
        logId: logId++,
        logType: 'auto_detected',
        minutesAfterWakeup: 0,
        minutesAsleep,
        minutesAwake: 30,
        minutesToFallAsleep: 0,
        startTime: `${date}T00:00:00.000`,
        timeInBed: minutesAsleep + 30,
        type: 'stages',
      })),
    );
    return withRateLimit({ status: 200, body: { sleep } });
  }
}

function fitbitError(status: number, errorType: string, message: string): Reply {
  return { status, body: { errors: [{ errorType, message }], success: false } };
}

function withRateLimit(reply: Reply): Reply {
  return {
    ...reply,
    headers: {
      'fitbit-rate-limit-limit': '150',
      'fitbit-rate-limit-remaining': '149',
      'fitbit-rate-limit-reset': '1800',
    },
  };
}

function dates(start: string, end: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}
