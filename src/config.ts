import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const httpUrl = z
  .string()
  .url()
  .refine((v) => /^https?:\/\//.test(v), 'must be an http:// or https:// URL');

const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL');

/**
 * Every environment variable the server reads. Each is documented in README.md ("Configuration").
 * Parsed once at start; a bad value stops the process with a message naming the variable.
 */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(4000),
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DB_POOL_MAX: int(1, 200).default(10),
  REDIS_URL: z
    .string()
    .url()
    .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL')
    .optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: int(30, 86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),
  VIEWER_CACHE_SECONDS: int(0, 300).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  PUBLIC_URL: z.string().url().optional(),
  TRIGGER_ENGINE: bool.default(true),
  TRIGGER_POLL_MS: int(50, 60_000).default(500),
  TRIGGER_BATCH_SIZE: int(1, 10_000).default(500),
  TRIGGER_GRACE_SECONDS: int(0, 86_400).default(60),
  ENCRYPTION_KEYS: z.string().min(1).optional(),
  HA_ENGINE: bool.default(true),
  HA_SUPERVISE_MS: int(50, 600_000).default(5000),
  HA_LEASE_SECONDS: int(2, 3600).default(30),
  HA_RECONNECT_MIN_MS: int(10, 600_000).default(1000),
  HA_RECONNECT_MAX_MS: int(10, 3_600_000).default(60_000),
  HA_PING_MS: int(100, 600_000).default(30_000),
  HA_METRICS_MS: int(100, 3_600_000).default(60_000),
  HA_FLUSH_MS: int(1, 10_000).default(50),
  HA_BATCH_SIZE: int(1, 50_000).default(2000),
  HA_RETENTION_MS: int(1000, 86_400_000).default(3_600_000),
  EMBEDDINGS_URL: z.string().url().optional(),
  EMBEDDINGS_MODEL: z.string().min(1).default('text-embedding-3-small'),
  EMBEDDINGS_API_KEY: z.string().min(1).optional(),
  QUEST_SYNC: bool.default(true),
  QUEST_SYNC_POLL_MS: int(100, 3_600_000).default(60_000),
  QUEST_SYNC_INTERVAL_MINUTES: int(1, 1440).default(30),
  QUEST_SYNC_DAYS: int(1, 30).default(3),
  QUEST_TOKEN_REFRESH_SECONDS: int(0, 86_400).default(600),
  QUEST_DASHBOARD_TTL_SECONDS: int(0, 86_400).default(300),
  QUEST_OAUTH_RETURN_URL: z.string().url().optional(),
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  GITHUB_AUTHORIZE_URL: z.string().url().default('https://github.com/login/oauth/authorize'),
  GITHUB_TOKEN_URL: z.string().url().default('https://github.com/login/oauth/access_token'),
  GITHUB_API_URL: z.string().url().default('https://api.github.com'),
  GITHUB_SCOPES: z.string().default('read:user'),
  FITBIT_CLIENT_ID: z.string().min(1).optional(),
  FITBIT_CLIENT_SECRET: z.string().min(1).optional(),
  FITBIT_AUTHORIZE_URL: z.string().url().default('https://www.fitbit.com/oauth2/authorize'),
  FITBIT_TOKEN_URL: z.string().url().default('https://api.fitbit.com/oauth2/token'),
  FITBIT_API_URL: z.string().url().default('https://api.fitbit.com'),
  FITBIT_SCOPES: z.string().default('activity sleep profile'),
  TASK_ENGINE: bool.default(true),
  TASK_POLL_MS: int(50, 60_000).default(500),
  TASK_BATCH_SIZE: int(1, 10_000).default(500),
  TASK_CONCURRENCY: int(1, 10_000).default(50),
  TASK_GRACE_SECONDS: int(0, 86_400).default(60),
  TASK_OUTPUT_MAX_BYTES: int(1024, 10 * 1024 * 1024).default(65_536),
  AI_BASE_URL: httpUrl.optional(),
  AI_MODEL: z.string().min(1).max(200).default('gpt-4o-mini'),
  AI_API_KEY: z.string().min(1).optional(),
  AI_WORKSPACE: z.string().min(1).default('./ai-workspace'),
  ALLOW_COMMAND_TASKS: bool.default(false),
  NTFY_URL: httpUrl.optional(),
  NTFY_USERNAME: z.string().min(1).optional(),
  NTFY_PASSWORD: z.string().min(1).optional(),
  NTFY_ENGINE: bool.default(true),
  NTFY_POLL_MS: int(50, 600_000).default(5000),
  NTFY_MAX_ATTEMPTS: int(1, 50).default(5),
  NTFY_RETRY_MS: int(10, 3_600_000).default(5000),
  APP_URL: httpUrl.optional(),
  QUERY_MAX_DEPTH: int(2, 100).default(12),
  QUERY_MAX_ALIASES: int(1, 1000).default(30),
  QUERY_MAX_COST: int(10, 1_000_000).default(20_000),
  QUERY_MAX_BYTES: int(100, 1_000_000).default(20_000),
  SCREENSHOT_MAX_BYTES: int(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  SCREENSHOT_URL_TTL_SECONDS: int(10, 7 * 86_400).default(600),
});

type RawConfig = z.infer<typeof schema>;

export interface Config {
  env: RawConfig['NODE_ENV'];
  isProduction: boolean;
  host: string;
  port: number;
  /** PostgreSQL server to use; when absent the embedded database in `dataDir` is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolMax: number;
  redisUrl: string | undefined;
  /** Signing secret for access tokens; in development a generated one is kept in `dataDir`. */
  jwtSecret: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /** How long a signed-in user's session and role are kept in memory between reads. */
  viewerCacheSeconds: number;
  logLevel: RawConfig['LOG_LEVEL'];
  trustProxy: boolean;
  /** Base of links the API hands out (calendar feeds); from each request's Host when unset. */
  publicUrl: string | undefined;
  queryLimits: QueryLimits;
  triggers: TriggerSettings;
  /** `<version>:<secret>` keys sealing stored tokens, newest first; generated into `dataDir` when unset. */
  encryptionKeys: string | undefined;
  homeAssistant: HomeAssistantSettings;
  embeddings: EmbeddingSettings;
  screenshots: ScreenshotSettings;
  quest: QuestSettings;
  tasks: TaskSettings;
  ai: AiSettings;
  push: PushSettings;
}

export interface ScreenshotSettings {
  /** Folder of the stored images (`DATA_DIR/screenshots`). */
  dir: string;
  /** Largest upload accepted, in bytes. */
  maxBytes: number;
  /** How long a signed screenshot address stays valid. */
  urlTtlSeconds: number;
}

/** One OAuth 2 provider of the quest module: its app credentials and its addresses. */
export interface OAuthProviderSettings {
  /** Unset: connecting this provider is refused. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  authorizeUrl: string;
  tokenUrl: string;
  /** Base of the provider's REST API. */
  apiUrl: string;
  scopes: string[];
}

export interface QuestSettings {
  /** Whether this instance runs the periodic Fitbit sync and token refresh. */
  sync: boolean;
  syncPollMs: number;
  /** How often each Fitbit integration is synced. */
  syncIntervalMs: number;
  /** Days read per sync, today included (more after a gap, up to 30). */
  syncDays: number;
  /** Tokens expiring within this long are refreshed before use (and by the periodic job). */
  tokenRefreshMarginMs: number;
  dashboardTtlMs: number;
  /** Where the OAuth callback sends the browser afterwards; a plain page when unset. */
  oauthReturnUrl: string | undefined;
  github: OAuthProviderSettings;
  fitbit: OAuthProviderSettings;
}

export interface TaskSettings {
  /** Whether this instance runs scheduled tasks. */
  engine: boolean;
  pollMs: number;
  /** Due tasks claimed (and runs started) per statement. */
  batchSize: number;
  /** Runs in progress at once on this instance. */
  concurrency: number;
  /** A scheduled time later than this is "missed": SKIP tasks record it as skipped. */
  graceMs: number;
  /** Output kept per execution; the rest is cut off and counted. */
  outputMaxBytes: number;
}

export interface AiSettings {
  /** OpenAI-compatible API base (`<url>/chat/completions`) for PROMPT tasks; unset: they are refused. */
  baseUrl: string | undefined;
  model: string;
  apiKey: string | undefined;
  /** Working folder of COMMAND tasks (absolute). */
  workspace: string;
  /** COMMAND tasks exist only when this is true (and only for admins). */
  allowCommandTasks: boolean;
}

export interface PushSettings {
  /** ntfy server base URL; unset: notifications stay in-app only. */
  ntfyUrl: string | undefined;
  username: string | undefined;
  password: string | undefined;
  /** Whether this instance delivers pending pushes. */
  engine: boolean;
  pollMs: number;
  maxAttempts: number;
  /** First retry delay; it doubles per failed attempt. */
  retryMs: number;
  /** Where people open the app: relative notification links are resolved against it (ntfy click). */
  appUrl: string | undefined;
}

export interface HomeAssistantSettings {
  /** Whether this instance holds Home Assistant connections (streams their events). */
  engine: boolean;
  superviseMs: number;
  leaseMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  pingMs: number;
  metricsMs: number;
  flushMs: number;
  batchSize: number;
  retentionMs: number;
}

export interface EmbeddingSettings {
  /** An OpenAI-compatible API base URL (`<url>/embeddings`); the local embedder when unset. */
  url: string | undefined;
  model: string;
  apiKey: string | undefined;
}

export interface TriggerSettings {
  /** Whether this instance polls for due time triggers. */
  engine: boolean;
  pollMs: number;
  batchSize: number;
  /** Later than this, a time firing counts as missed (and as late in its execution). */
  graceMs: number;
}

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment. Throws {@link ConfigError} listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(schema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production' && !c.JWT_SECRET) {
    throw new ConfigError(['JWT_SECRET: required when NODE_ENV=production']);
  }
  if (c.NODE_ENV === 'production' && !c.ENCRYPTION_KEYS) {
    throw new ConfigError(['ENCRYPTION_KEYS: required when NODE_ENV=production']);
  }
  for (const provider of ['GITHUB', 'FITBIT'] as const) {
    if (Boolean(c[`${provider}_CLIENT_ID`]) !== Boolean(c[`${provider}_CLIENT_SECRET`])) {
      throw new ConfigError([`${provider}_CLIENT_SECRET: set together with ${provider}_CLIENT_ID`]);
    }
  }
  if (Boolean(c.NTFY_USERNAME) !== Boolean(c.NTFY_PASSWORD)) {
    throw new ConfigError(['NTFY_USERNAME: NTFY_USERNAME and NTFY_PASSWORD go together']);
  }
  if (c.HA_RECONNECT_MAX_MS < c.HA_RECONNECT_MIN_MS) {
    throw new ConfigError(['HA_RECONNECT_MAX_MS: must not be less than HA_RECONNECT_MIN_MS']);
  }
  return {
    env: c.NODE_ENV,
    isProduction: c.NODE_ENV === 'production',
    host: c.HOST,
    port: c.PORT,
    databaseUrl: c.DATABASE_URL,
    dataDir: path.resolve(c.DATA_DIR),
    dbPoolMax: c.DB_POOL_MAX,
    redisUrl: c.REDIS_URL,
    jwtSecret: c.JWT_SECRET,
    accessTokenTtlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: c.REFRESH_TOKEN_TTL_DAYS,
    viewerCacheSeconds: c.VIEWER_CACHE_SECONDS,
    logLevel: c.LOG_LEVEL,
    trustProxy: c.TRUST_PROXY,
    publicUrl: c.PUBLIC_URL,
    triggers: {
      engine: c.TRIGGER_ENGINE,
      pollMs: c.TRIGGER_POLL_MS,
      batchSize: c.TRIGGER_BATCH_SIZE,
      graceMs: c.TRIGGER_GRACE_SECONDS * 1000,
    },
    encryptionKeys: c.ENCRYPTION_KEYS,
    homeAssistant: {
      engine: c.HA_ENGINE,
      superviseMs: c.HA_SUPERVISE_MS,
      leaseMs: c.HA_LEASE_SECONDS * 1000,
      reconnectMinMs: c.HA_RECONNECT_MIN_MS,
      reconnectMaxMs: c.HA_RECONNECT_MAX_MS,
      pingMs: c.HA_PING_MS,
      metricsMs: c.HA_METRICS_MS,
      flushMs: c.HA_FLUSH_MS,
      batchSize: c.HA_BATCH_SIZE,
      retentionMs: c.HA_RETENTION_MS,
    },
    embeddings: { url: c.EMBEDDINGS_URL, model: c.EMBEDDINGS_MODEL, apiKey: c.EMBEDDINGS_API_KEY },
    screenshots: {
      dir: path.join(path.resolve(c.DATA_DIR), 'screenshots'),
      maxBytes: c.SCREENSHOT_MAX_BYTES,
      urlTtlSeconds: c.SCREENSHOT_URL_TTL_SECONDS,
    },
    quest: {
      sync: c.QUEST_SYNC,
      syncPollMs: c.QUEST_SYNC_POLL_MS,
      syncIntervalMs: c.QUEST_SYNC_INTERVAL_MINUTES * 60_000,
      syncDays: c.QUEST_SYNC_DAYS,
      tokenRefreshMarginMs: c.QUEST_TOKEN_REFRESH_SECONDS * 1000,
      dashboardTtlMs: c.QUEST_DASHBOARD_TTL_SECONDS * 1000,
      oauthReturnUrl: c.QUEST_OAUTH_RETURN_URL,
      github: {
        clientId: c.GITHUB_CLIENT_ID,
        clientSecret: c.GITHUB_CLIENT_SECRET,
        authorizeUrl: c.GITHUB_AUTHORIZE_URL,
        tokenUrl: c.GITHUB_TOKEN_URL,
        apiUrl: c.GITHUB_API_URL.replace(/\/+$/, ''),
        scopes: scopeList(c.GITHUB_SCOPES),
      },
      fitbit: {
        clientId: c.FITBIT_CLIENT_ID,
        clientSecret: c.FITBIT_CLIENT_SECRET,
        authorizeUrl: c.FITBIT_AUTHORIZE_URL,
        tokenUrl: c.FITBIT_TOKEN_URL,
        apiUrl: c.FITBIT_API_URL.replace(/\/+$/, ''),
        scopes: scopeList(c.FITBIT_SCOPES),
      },
    },
    tasks: {
      engine: c.TASK_ENGINE,
      pollMs: c.TASK_POLL_MS,
      batchSize: c.TASK_BATCH_SIZE,
      concurrency: c.TASK_CONCURRENCY,
      graceMs: c.TASK_GRACE_SECONDS * 1000,
      outputMaxBytes: c.TASK_OUTPUT_MAX_BYTES,
    },
    ai: {
      baseUrl: c.AI_BASE_URL,
      model: c.AI_MODEL,
      apiKey: c.AI_API_KEY,
      workspace: path.resolve(c.AI_WORKSPACE),
      allowCommandTasks: c.ALLOW_COMMAND_TASKS,
    },
    push: {
      ntfyUrl: c.NTFY_URL,
      username: c.NTFY_USERNAME,
      password: c.NTFY_PASSWORD,
      engine: c.NTFY_ENGINE,
      pollMs: c.NTFY_POLL_MS,
      maxAttempts: c.NTFY_MAX_ATTEMPTS,
      retryMs: c.NTFY_RETRY_MS,
      appUrl: c.APP_URL,
    },
    queryLimits: {
      maxDepth: c.QUERY_MAX_DEPTH,
      maxAliases: c.QUERY_MAX_ALIASES,
      maxCost: c.QUERY_MAX_COST,
      maxBytes: c.QUERY_MAX_BYTES,
    },
  };
}

/** `"read:user repo"` or `"a,b"` → `['read:user', 'repo']`. */
function scopeList(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}
