import { sql } from 'kysely';
import type { App } from '../../app';
import { SecretBoxError } from '../../common/crypto';
import { toIsoTimestamp } from '../../common/scalars';
import type { DB } from '../../db/tables';
import { AuditService } from '../audit/audit.service';
import { HaAuthError, HaClient, type HaEventMessage, type HaState } from './ha-client';
import type { IncomingHaEvent } from './ha-ingest';
import { publishStatus } from './ha-status';
import { openToken } from './ha-token';
import { HaConnectionStatus } from './ha.enums';

/** A connection as its lease returns it: what a session needs to connect. */
export interface LeasedConnection {
  id: string;
  workspaceId: string;
  userId: string;
  url: string;
  encryptedToken: string;
  eventTypes: string[];
}

export interface SessionOptions {
  reconnectMinMs: number;
  reconnectMaxMs: number;
  pingMs: number;
  /** Where received events go. */
  push: (event: IncomingHaEvent) => void;
}

/** What happened on a session since the last metrics sample. */
export interface SessionSample {
  connectedMs: number;
  latencies: number[];
  commands: number;
  errors: number;
  events: number;
}

/** Whether two leases would connect the same way (else the session is restarted). */
export function sameLink(a: LeasedConnection, b: LeasedConnection): boolean {
  return a.url === b.url && a.encryptedToken === b.encryptedToken && a.eventTypes.join() === b.eventTypes.join();
}

const CONNECT_TIMEOUT_MS = 15_000;

/**
 * One held connection: connects and authenticates, subscribes to its event types, resyncs the
 * states changed while it was away, pings, and reconnects with exponential backoff and jitter
 * when Home Assistant goes away. A refused token stops it for good (`AUTH_FAILED`).
 */
export class HaSession {
  #client: HaClient | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #stopping!: () => void;
  /** Settles on `stop()`: a link closed by us never reports its own end. */
  readonly #stopSignal = new Promise<undefined>((resolve) => {
    this.#stopping = () => resolve(undefined);
  });
  #loop: Promise<void> | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #status: HaConnectionStatus | undefined;
  #connectedSince: number | undefined;
  #sample: SessionSample = { connectedMs: 0, latencies: [], commands: 0, errors: 0, events: 0 };
  /** Newest event time stored or seen; states updated after it are resynced on reconnect. */
  #lastEventAt: string | undefined;

  constructor(
    private readonly app: App,
    readonly lease: LeasedConnection,
    private readonly options: SessionOptions,
  ) {}

  /** The live client while connected (service calls reuse it). */
  get client(): HaClient | undefined {
    return this.#client?.isOpen ? this.#client : undefined;
  }

  /** Whether the session gave up for good (refused or undecryptable token). */
  get finished(): boolean {
    return this.#stopped;
  }

  start(): void {
    this.#loop = this.run().catch((error: unknown) => {
      this.app.logger.error({ err: error, connectionId: this.lease.id }, 'Home Assistant session crashed');
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping();
    clearTimeout(this.#pingTimer);
    this.#wake?.();
    const client = this.#client;
    this.#client = undefined;
    await client?.close();
    await this.#loop;
  }

  /** Counters since the previous call (the metrics sampler's view). */
  takeSample(): SessionSample {
    const now = performance.now();
    if (this.#connectedSince !== undefined) {
      this.#sample.connectedMs += now - this.#connectedSince;
      this.#connectedSince = now;
    }
    const sample = this.#sample;
    this.#sample = { connectedMs: 0, latencies: [], commands: 0, errors: 0, events: 0 };
    return sample;
  }

  private async run(): Promise<void> {
    this.#lastEventAt = await this.newestStoredEvent();
    let attempt = 0;
    while (!this.#stopped) {
      const started = performance.now();
      await this.setStatus(HaConnectionStatus.CONNECTING, {});
      let lost: Error | undefined;
      try {
        const { closed } = await this.connect();
        attempt = 0;
        this.app.logger.info({ connectionId: this.lease.id, url: this.lease.url }, 'connected to Home Assistant');
        await this.audit('ha.connect', true, null, performance.now() - started);
        lost = await Promise.race([closed, this.#stopSignal]);
      } catch (error) {
        await this.#client?.close().catch(() => undefined);
        this.#client = undefined;
        if (this.#stopped) return;
        if (error instanceof HaAuthError || error instanceof SecretBoxError) {
          const message =
            error instanceof SecretBoxError ? 'The stored access token cannot be decrypted' : error.message;
          await this.giveUp(message, performance.now() - started);
          return;
        }
        lost = error instanceof Error ? error : new Error(String(error));
        this.#sample.errors += 1;
        await this.audit('ha.error', false, lost.message, performance.now() - started);
      }
      this.markDisconnected();
      if (this.#stopped) return;
      this.app.logger.warn(
        { connectionId: this.lease.id, url: this.lease.url, err: lost, attempt },
        'Home Assistant connection lost or refused; retrying',
      );
      if (this.#status === HaConnectionStatus.CONNECTED) {
        await this.audit('ha.disconnect', false, lost?.message ?? 'Home Assistant closed the connection', null);
      }
      await this.setStatus(HaConnectionStatus.ERROR, { last_error: lost?.message ?? 'connection lost' });
      await this.sleep(this.backoff(attempt++));
    }
  }

  /** Connects and starts streaming; `closed` settles with the error that ends the link. */
  private async connect(): Promise<{ closed: Promise<Error | undefined> }> {
    const { lease } = this;
    const accessToken = openToken(this.app.secrets, lease.workspaceId, lease.id, lease.encryptedToken);
    const client = await HaClient.connect({ url: lease.url, accessToken, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    this.#client = client;
    const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
    if (this.#stopped) {
      await client.close();
      return { closed };
    }
    const config = await this.counted(client.getConfig());
    for (const eventType of lease.eventTypes) {
      await this.counted(client.subscribeEvents(eventType, (event) => this.onEvent(event)));
    }
    await this.resync(await this.counted(client.getStates()));
    this.#connectedSince = performance.now();
    await this.setStatus(HaConnectionStatus.CONNECTED, {
      last_error: null,
      last_connected_at: sql<Date>`now()`,
      last_seen_at: sql<Date>`now()`,
      home_assistant_version: config.version.slice(0, 50),
      supported_features: [...config.components].sort(),
    });
    this.schedulePing(client);
    return { closed };
  }

  private onEvent(event: HaEventMessage): void {
    this.#sample.events += 1;
    const incoming = toIncoming(this.lease, event);
    if (this.#lastEventAt === undefined || incoming.timestamp > this.#lastEventAt)
      this.#lastEventAt = incoming.timestamp;
    this.options.push(incoming);
  }

  /**
   * States updated while no link was up become `state_changed` events (the old state is the last
   * one stored). States already stored have the same identity and are skipped by the insert.
   */
  private async resync(states: HaState[]): Promise<void> {
    const since = this.#lastEventAt;
    if (since === undefined) return; // first connection: nothing to catch up on
    const missed = states.filter((s) => validTime(s.last_updated) && new Date(s.last_updated).toISOString() > since);
    if (missed.length === 0) return;
    const previous = await sql<{ entity_id: string; new_state: string | null }>`
      select distinct on (entity_id) entity_id, new_state from ha_events
       where connection_id = ${this.lease.id} and event_type = 'state_changed'
         and entity_id = any(${missed.map((s) => s.entity_id)}::text[])
       order by entity_id, timestamp desc`.execute(this.app.orm.em.getKysely<DB>());
    const oldStates = new Map(previous.rows.map((r) => [r.entity_id, r.new_state]));
    for (const state of missed) {
      this.options.push({
        ...identity(this.lease),
        eventType: 'state_changed',
        entityId: state.entity_id,
        oldState: oldStates.get(state.entity_id) ?? null,
        newState: state.state,
        attributes: state.attributes,
        contextId: state.context.id,
        timestamp: new Date(state.last_updated).toISOString(),
      });
    }
  }

  private schedulePing(client: HaClient): void {
    this.#pingTimer = setTimeout(() => {
      if (this.#stopped || this.#client !== client || !client.isOpen) return;
      this.counted(client.ping())
        .then((ms) => {
          this.#sample.latencies.push(ms);
          this.schedulePing(client);
        })
        .catch(() => {
          // An unanswered ping means a dead link: closing it starts a reconnect.
          void client.close();
          this.#client = undefined;
        });
    }, this.options.pingMs);
  }

  private async counted<T>(command: Promise<T>): Promise<T> {
    this.#sample.commands += 1;
    try {
      return await command;
    } catch (error) {
      this.#sample.errors += 1;
      throw error;
    }
  }

  private markDisconnected(): void {
    clearTimeout(this.#pingTimer);
    if (this.#connectedSince !== undefined) {
      this.#sample.connectedMs += performance.now() - this.#connectedSince;
      this.#connectedSince = undefined;
    }
    this.#client = undefined;
  }

  private async giveUp(message: string, durationMs: number): Promise<void> {
    this.app.logger.warn(
      { connectionId: this.lease.id, url: this.lease.url, reason: message },
      'Home Assistant refused the token; giving up',
    );
    this.#stopped = true;
    await this.setStatus(HaConnectionStatus.AUTH_FAILED, { last_error: message, holder: null, held_until: null });
    await this.audit('ha.auth_failed', false, message, durationMs);
  }

  /** Exponential backoff with jitter: half the delay fixed, half random, capped. */
  private backoff(attempt: number): number {
    const { reconnectMinMs, reconnectMaxMs } = this.options;
    const delay = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.min(attempt, 20));
    return delay / 2 + Math.random() * (delay / 2);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async newestStoredEvent(): Promise<string | undefined> {
    const row = await sql<{ newest: string | null }>`
      select max(timestamp) as newest from ha_events where connection_id = ${this.lease.id}`.execute(
      this.app.orm.em.getKysely<DB>(),
    );
    const newest = row.rows[0]?.newest;
    return newest ? toIsoTimestamp(newest) : undefined;
  }

  /** Writes the status (only while this instance holds the lease) and tells subscribers. */
  private async setStatus(status: HaConnectionStatus, fields: Record<string, unknown>): Promise<void> {
    const changed = status !== this.#status;
    this.#status = status;
    try {
      await this.app.orm.em
        .getKysely<DB>()
        .updateTable('ha_connections')
        .set({ status, ...fields, updated_at: sql<Date>`now()` } as never)
        .where('id', '=', this.lease.id)
        .execute();
    } catch (error) {
      this.app.logger.warn({ err: error, connectionId: this.lease.id }, 'writing connection status failed');
    }
    if (changed) publishStatus(this.app, { ...identity(this.lease), connectionId: this.lease.id, status });
  }

  private async audit(action: string, success: boolean, error: string | null, durationMs: number | null) {
    try {
      await new AuditService(this.app.orm.em.fork()).record({
        action,
        success,
        workspaceId: this.lease.workspaceId,
        userId: this.lease.userId,
        targetType: 'HaConnection',
        targetId: this.lease.id,
        errorMessage: error,
        durationMs: durationMs === null ? null : Math.round(durationMs),
        details: { url: this.lease.url },
      });
    } catch (failure) {
      this.app.logger.warn({ err: failure, connectionId: this.lease.id }, 'writing the audit entry failed');
    }
  }
}

function identity(lease: LeasedConnection) {
  return { workspaceId: lease.workspaceId, userId: lease.userId, connectionId: lease.id };
}

function validTime(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(new Date(value).getTime());
}

const asState = (value: unknown): { state?: unknown; attributes?: unknown } | null =>
  typeof value === 'object' && value !== null ? (value as { state?: unknown; attributes?: unknown }) : null;

const asText = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** A received event as stored: `state_changed` keeps the states and the new attributes. */
function toIncoming(lease: LeasedConnection, event: HaEventMessage): IncomingHaEvent {
  const data = typeof event.data === 'object' && event.data !== null ? event.data : {};
  const timestamp = validTime(event.time_fired) ? new Date(event.time_fired).toISOString() : new Date().toISOString();
  const contextId = typeof event.context?.id === 'string' && event.context.id ? event.context.id : `local-${timestamp}`;
  if (event.event_type === 'state_changed') {
    const oldState = asState(data.old_state);
    const newState = asState(data.new_state);
    const attributes = newState?.attributes;
    return {
      ...identity(lease),
      eventType: event.event_type,
      entityId: asText(data.entity_id),
      oldState: asText(oldState?.state),
      newState: asText(newState?.state),
      attributes:
        typeof attributes === 'object' && attributes !== null ? (attributes as Record<string, unknown>) : null,
      contextId,
      timestamp,
    };
  }
  return {
    ...identity(lease),
    eventType: String(event.event_type),
    entityId: asText(data.entity_id),
    oldState: null,
    newState: null,
    attributes: data,
    contextId,
    timestamp,
  };
}
