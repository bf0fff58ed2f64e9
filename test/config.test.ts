import { ConfigError, loadConfig } from '../src/config';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, databaseUrl: undefined, redisUrl: undefined, isProduction: false });
    expect(config.dataDir).toMatch(/data$/);
  });

  it('lists every bad variable by name', () => {
    expect.assertions(3);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', QUERY_MAX_DEPTH: '0' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect((error as ConfigError).problems).toHaveLength(3);
      expect(message).toMatch(/PORT[\s\S]*DATABASE_URL[\s\S]*QUERY_MAX_DEPTH/);
    }
  });

  it('requires a signing secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/at least 32/);
  });

  it('requires encryption keys in production', () => {
    const secret = 's'.repeat(40);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret })).toThrow(/ENCRYPTION_KEYS/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, ENCRYPTION_KEYS: `1:${secret}` })).toMatchObject({
      encryptionKeys: `1:${secret}`,
    });
  });

  it('has the quest providers off until both their id and secret are set', () => {
    const config = loadConfig({});
    expect(config.quest.github).toMatchObject({
      clientId: undefined,
      apiUrl: 'https://api.github.com',
      scopes: ['read:user'],
    });
    expect(config.quest.fitbit.scopes).toEqual(['activity', 'sleep', 'profile']);
    expect(() => loadConfig({ GITHUB_CLIENT_ID: 'abc' })).toThrow(/GITHUB_CLIENT_SECRET/);
    expect(() => loadConfig({ FITBIT_CLIENT_SECRET: 'abc' })).toThrow(/FITBIT_CLIENT_SECRET/);
    expect(loadConfig({ GITHUB_API_URL: 'https://ghe.example.com/api/v3/' }).quest.github.apiUrl).toBe(
      'https://ghe.example.com/api/v3',
    );
  });

  it('reads the assistant and push settings, and wants ntfy credentials in pairs', () => {
    const config = loadConfig({
      AI_BASE_URL: 'http://localhost:11434/v1',
      ALLOW_COMMAND_TASKS: 'true',
      NTFY_URL: 'https://ntfy.example.com',
    });
    expect(config.ai).toMatchObject({
      baseUrl: 'http://localhost:11434/v1',
      model: 'gpt-4o-mini',
      allowCommandTasks: true,
    });
    expect(config.ai.workspace).toMatch(/ai-workspace$/);
    expect(config.push).toMatchObject({ ntfyUrl: 'https://ntfy.example.com', maxAttempts: 5, engine: true });
    expect(config.tasks).toMatchObject({ engine: true, concurrency: 50, outputMaxBytes: 65_536 });
    expect(() => loadConfig({ NTFY_URL: 'https://ntfy.example.com', NTFY_USERNAME: 'me' })).toThrow(/NTFY_PASSWORD/);
    expect(() => loadConfig({ AI_BASE_URL: 'ftp://models' })).toThrow(/AI_BASE_URL/);
  });
});
