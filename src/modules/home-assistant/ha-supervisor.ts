import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { App } from '../../app';
import type { HomeAssistantSettings } from '../../config';
import type { DB } from '../../db/tables';
import { AuditService } from '../audit/audit.service';
import type { HaClient } from './ha-client';
import type { HaIngest } from './ha-ingest';
import { recordSamples } from './ha-metrics';
import { HaSession, sameLink, type LeasedConnection } from './ha-session';
import { openToken, sealToken } from './ha-token';

/** How many more connections one instance takes per round, so that a fleet shares them out. */
const CLAIM_PER_ROUND = 25;

const LEASED_COLUMNS = sql`id, workspace_id, user_id, url, encrypted_token, event_types`;

interface LeaseRow {
  id: string;
  workspace_id: string;
  user_id: string;
  url: string;
  encrypted_token: string;
  event_types: string[];
}

/**
 * Keeps every active connection open on exactly one API instance. Each instance renews the
 * leases it holds and claims free or expired ones (`for update skip locked`) every round; a lease
 * not renewed in time (the instance died) is claimed by another. Leases live in the database, so
 * however many instances run, and whatever restarts, one holder streams each connection.
 */
export class HaSupervisor {
  readonly instanceId = `${os.hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly #sessions = new Map<string, HaSession>();
  #timer: NodeJS.Timeout | undefined;
  #metricsTimer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #again = false;
  #started = false;
  #stopped = false;
  #lastSample = performance.now();

  constructor(
    private readonly app: App,
    private readonly ingest: HaIngest,
    private readonly settings: HomeAssistantSettings,
  ) {}

  /** The open client of a connection this instance holds, if any. */
  liveClient(connectionId: string): HaClient | undefined {
    return this.#sessions.get(connectionId)?.client;
  }

  /** Ids of the connections this instance holds. */
  get held(): string[] {
    return [...this.#sessions.keys()];
  }

  start(): void {
    this.#started = true;
    const loop = () => {
      if (this.#stopped) return;
      void this.tick().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(loop, this.settings.superviseMs);
      });
    };
    this.#timer = setTimeout(loop, 0);
    const sample = () => {
      void this.sampleMetrics().finally(() => {
        if (!this.#stopped) this.#metricsTimer = setTimeout(sample, this.settings.metricsMs);
      });
    };
    this.#metricsTimer = setTimeout(sample, this.settings.metricsMs);
  }

  /** A round soon, e.g. after a connection was created, changed or deleted here (when running). */
  poke(): void {
    if (this.#started && !this.#stopped) void this.tick();
  }

  /**
   * Renews held leases, drops lost ones, claims free ones; runs one round at a time. `onlyWorkspace`
   * limits what is claimed (tests sharing one database with other tests).
   */
  async tick(onlyWorkspace?: string): Promise<void> {
    while (this.#round) {
      if (onlyWorkspace === undefined) {
        this.#again = true;
        return this.#round;
      }
      await this.#round;
    }
    this.#round = this.round(onlyWorkspace)
      .catch((error: unknown) => this.app.logger.error({ err: error }, 'Home Assistant supervision round failed'))
      .finally(() => {
        this.#round = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          void this.tick();
        }
      });
    return this.#round;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#metricsTimer);
    await this.#round;
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((s) => s.stop()));
    if (sessions.length === 0) return;
    try {
      await sql`
        update ha_connections set holder = null, held_until = null, updated_at = now(),
               status = case when status = 'AUTH_FAILED' then status else 'DISCONNECTED' end
         where holder = ${this.instanceId}`.execute(this.db());
      const audit = new AuditService(this.app.orm.em.fork());
      for (const { lease } of sessions) {
        await audit.record({
          action: 'ha.disconnect',
          success: true,
          workspaceId: lease.workspaceId,
          userId: lease.userId,
          targetType: 'HaConnection',
          targetId: lease.id,
          details: { reason: 'server stopping' },
        });
      }
    } catch (error) {
      this.app.logger.warn({ err: error }, 'releasing Home Assistant connections failed');
    }
  }

  private db(): Kysely<DB> {
    return this.app.orm.em.getKysely<DB>();
  }

  private async round(onlyWorkspace: string | undefined): Promise<void> {
    const ttl = `${this.settings.leaseMs} milliseconds`;
    const renewed = await sql<LeaseRow>`
      update ha_connections set held_until = now() + ${ttl}::interval
       where holder = ${this.instanceId} and is_active and status <> 'AUTH_FAILED'
       returning ${LEASED_COLUMNS}`.execute(this.db());
    const kept = new Map(renewed.rows.map((r) => [r.id, toLease(r)]));
    for (const [id, session] of this.#sessions) {
      const lease = kept.get(id);
      if (!lease || session.finished || !sameLink(session.lease, lease)) {
        this.#sessions.delete(id);
        await session.stop();
        if (lease && !session.finished) this.open(lease);
      }
    }
    if (this.#stopped) return;
    const claimed = await sql<LeaseRow>`
      update ha_connections c set holder = ${this.instanceId}, held_until = now() + ${ttl}::interval,
             updated_at = now()
       where c.id in (select id from ha_connections
                       where is_active and status <> 'AUTH_FAILED' and (holder is null or held_until < now())
                         and (${onlyWorkspace ?? null}::uuid is null or workspace_id = ${onlyWorkspace ?? null}::uuid)
                       order by id limit ${CLAIM_PER_ROUND} for update skip locked)
       returning ${LEASED_COLUMNS}`.execute(this.db());
    for (const row of claimed.rows) {
      const existing = this.#sessions.get(row.id);
      if (existing) await existing.stop();
      this.open(await this.resealed(toLease(row)));
    }
  }

  /** A token sealed with an older key is sealed again with the current one (key rotation). */
  private async resealed(lease: LeasedConnection): Promise<LeasedConnection> {
    const { secrets } = this.app;
    if (!secrets.isStale(lease.encryptedToken)) return lease;
    let token: string;
    try {
      token = openToken(secrets, lease.workspaceId, lease.id, lease.encryptedToken);
    } catch {
      return lease; // the session reports it (AUTH_FAILED, "cannot be decrypted")
    }
    const encryptedToken = sealToken(secrets, lease.workspaceId, lease.id, token);
    await sql`update ha_connections set encrypted_token = ${encryptedToken}
               where id = ${lease.id} and encrypted_token = ${lease.encryptedToken}`.execute(this.db());
    return { ...lease, encryptedToken };
  }

  private open(lease: LeasedConnection): void {
    const session = new HaSession(this.app, lease, {
      reconnectMinMs: this.settings.reconnectMinMs,
      reconnectMaxMs: this.settings.reconnectMaxMs,
      pingMs: this.settings.pingMs,
      push: (event) => this.ingest.push(event),
    });
    this.#sessions.set(lease.id, session);
    session.start();
  }

  /** One sample per held connection into the metrics table and the connection's health. */
  async sampleMetrics(): Promise<void> {
    const now = performance.now();
    const intervalMs = Math.max(1, now - this.#lastSample);
    this.#lastSample = now;
    const samples = [...this.#sessions.values()]
      .filter((s) => !s.finished)
      .map((s) => ({ lease: s.lease, sample: s.takeSample() }));
    if (samples.length === 0) return;
    try {
      await recordSamples(this.db(), samples, intervalMs, this.app.clock());
    } catch (error) {
      this.app.logger.warn({ err: error }, 'recording Home Assistant metrics failed');
    }
  }
}

function toLease(row: LeaseRow): LeasedConnection {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    userId: row.user_id,
    url: row.url,
    encryptedToken: row.encrypted_token,
    eventTypes: row.event_types,
  };
}
