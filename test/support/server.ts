import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import type { Logger } from '../../src/common/logger';
import { startServer, type RunningServer } from '../../src/server';

export type TestServer = RunningServer;

/**
 * Starts a real server on a free port: on DATABASE_URL when set, else on an embedded database of
 * its own started from the migrated dump.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { clock?: () => Date; logger?: Logger } = {},
): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeos-data-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    DATA_DIR: dataDir,
    DB_POOL_MAX: '4',
    // Tests fire time triggers themselves, at the times they choose (`app.timeTriggers.tick`).
    TRIGGER_ENGINE: 'false',
    // Likewise Home Assistant connections are held when a test runs `app.homeAssistant.supervisor.tick()`.
    HA_ENGINE: 'false',
    // And the Fitbit sync and token refresh run when a test calls `app.quest.sync.tick()`.
    QUEST_SYNC: 'false',
    // And scheduled tasks run, and pushes go out, when a test ticks `app.tasks` or `app.push`.
    TASK_ENGINE: 'false',
    NTFY_ENGINE: 'false',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    ...env,
  });
  const dumpFile = process.env.HOMEOS_TEST_EMBEDDED_DUMP;
  const embeddedDump = !config.databaseUrl && dumpFile ? new Blob([fs.readFileSync(dumpFile)]) : undefined;
  return startServer({ config, ...(embeddedDump ? { embeddedDump } : {}), ...options });
}
