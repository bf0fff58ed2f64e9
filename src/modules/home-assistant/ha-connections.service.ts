import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { App } from '../../app';
import type { Connection } from '../../common/pagination';
import { paginate } from '../../common/pagination';
import type { Reader } from '../../common/reader';
import type { RequestInfo, Viewer } from '../../context';
import { SecretBoxError } from '../../common/crypto';
import { AuditService } from '../audit/audit.service';
import { HaAuthError, HaClient } from './ha-client';
import { HaConnection } from './ha-connection.entity';
import { openToken, sealToken } from './ha-token';
import { validEventTypes, validName, validRetentionDays, validToken, validUrl } from './ha-validation';
import { HaConnectionStatus } from './ha.enums';
import { HaConnectionExistsError, HaConnectionNotFoundError } from './ha.errors';
import type { CreateHaConnectionInput, UpdateHaConnectionInput } from './ha.inputs';
import { selectHaConnection, type HaConnectionRow } from './ha.read';
import { publishStatus } from './ha-status';
import type { HaConnectionTestResultNode } from './ha.types';

const TEST_TIMEOUT_MS = 10_000;

/** The viewer's Home Assistant connections: their rules, their sealed tokens, tests. */
export class HaConnectionsService {
  constructor(
    private readonly app: App,
    private readonly em: EntityManager,
  ) {}

  get(reader: Reader, viewer: Viewer, id: string): Promise<HaConnectionRow | undefined> {
    return selectHaConnection(reader.from('ha_connections'))
      .where('ha_connections.id', '=', id)
      .where('ha_connections.user_id', '=', viewer.id)
      .executeTakeFirst() as Promise<HaConnectionRow | undefined>;
  }

  async getOrFail(reader: Reader, viewer: Viewer, id: string): Promise<HaConnectionRow> {
    const row = await this.get(reader, viewer, id);
    if (!row) throw new HaConnectionNotFoundError(id);
    return row;
  }

  list(
    reader: Reader,
    viewer: Viewer,
    page: { first: number; after?: string | null },
  ): Promise<Connection<HaConnectionRow>> {
    const query = selectHaConnection(reader.from('ha_connections')).where('ha_connections.user_id', '=', viewer.id);
    return paginate({
      query: query as never,
      idColumn: 'ha_connections.id',
      sort: { column: 'ha_connections.created_at', field: 'createdAt', direction: 'asc' },
      first: page.first,
      after: page.after ?? null,
    }) as Promise<Connection<HaConnectionRow>>;
  }

  async create(viewer: Viewer, input: CreateHaConnectionInput, request: RequestInfo): Promise<string> {
    const connection = this.em.create(HaConnection, {
      workspace: viewer.workspaceId,
      user: viewer.id,
      name: validName(input.name),
      url: validUrl(input.url),
      encryptedToken: '',
      eventTypes: validEventTypes(input.eventTypes ?? []),
      retentionDays: validRetentionDays(input.retentionDays ?? 90),
      isActive: input.isActive ?? true,
    });
    connection.encryptedToken = sealToken(
      this.app.secrets,
      viewer.workspaceId,
      connection.id,
      validToken(input.accessToken),
    );
    await this.flushUnique();
    await this.audit(viewer, connection.id, 'ha.connection_created', request, { url: connection.url });
    this.app.homeAssistant.supervisor.poke();
    return connection.id;
  }

  async update(viewer: Viewer, input: UpdateHaConnectionInput & { id: string }, request: RequestInfo): Promise<void> {
    const connection = await this.findOwn(viewer, input.id);
    const changed: string[] = [];
    if (input.name != null) connection.name = validName(input.name);
    if (input.url != null) {
      const url = validUrl(input.url);
      if (url !== connection.url) changed.push('url');
      connection.url = url;
    }
    if (input.accessToken != null) {
      connection.encryptedToken = sealToken(
        this.app.secrets,
        viewer.workspaceId,
        connection.id,
        validToken(input.accessToken),
      );
      changed.push('accessToken');
    }
    if (input.eventTypes != null) connection.eventTypes = validEventTypes(input.eventTypes);
    if (input.retentionDays != null) connection.retentionDays = validRetentionDays(input.retentionDays);
    if (input.isActive != null) connection.isActive = input.isActive;
    // A new address or token deserves a new attempt, even after Home Assistant refused the old one.
    if (changed.length > 0 && connection.status === HaConnectionStatus.AUTH_FAILED) {
      connection.status = HaConnectionStatus.DISCONNECTED;
      connection.lastError = null;
    }
    await this.flushUnique();
    await this.audit(viewer, connection.id, 'ha.connection_updated', request, { changed });
    this.app.homeAssistant.supervisor.poke();
  }

  async delete(viewer: Viewer, id: string, request: RequestInfo): Promise<boolean> {
    const connection = await this.findOwn(viewer, id);
    await this.em.remove(connection).flush();
    await this.audit(viewer, id, 'ha.connection_deleted', request, { url: connection.url });
    this.app.homeAssistant.supervisor.poke();
    return true;
  }

  /** Connects, authenticates and reads the configuration; records what Home Assistant reported. */
  async test(
    viewer: Viewer,
    id: string,
    request: RequestInfo,
  ): Promise<Omit<HaConnectionTestResultNode, 'connection'>> {
    const connection = await this.findOwn(viewer, id, true);
    const started = performance.now();
    let error: string | null = null;
    let componentCount = 0;
    const previous = connection.status;
    try {
      const token = openToken(this.app.secrets, viewer.workspaceId, connection.id, connection.encryptedToken);
      const client = await HaClient.connect({
        url: connection.url,
        accessToken: token,
        connectTimeoutMs: TEST_TIMEOUT_MS,
      });
      try {
        const config = await client.getConfig();
        connection.homeAssistantVersion = config.version.slice(0, 50);
        connection.supportedFeatures = [...config.components].sort();
        componentCount = config.components.length;
      } finally {
        await client.close();
      }
      connection.lastSeenAt = this.app.clock();
      connection.lastError = null;
      if (previous === HaConnectionStatus.AUTH_FAILED || previous === HaConnectionStatus.ERROR) {
        connection.status = HaConnectionStatus.DISCONNECTED;
      }
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
      if (caught instanceof SecretBoxError) error = 'The stored access token cannot be decrypted: enter it again';
      connection.lastError = error;
      if (caught instanceof HaAuthError || caught instanceof SecretBoxError)
        connection.status = HaConnectionStatus.AUTH_FAILED;
      else if (previous !== HaConnectionStatus.CONNECTED) connection.status = HaConnectionStatus.ERROR;
    }
    const durationMs = Math.round(performance.now() - started);
    await this.em.flush();
    await new AuditService(this.em).record(
      {
        action: 'ha.test',
        success: error === null,
        workspaceId: viewer.workspaceId,
        userId: viewer.id,
        targetType: 'HaConnection',
        targetId: connection.id,
        errorMessage: error,
        durationMs,
        details: { version: connection.homeAssistantVersion ?? null, componentCount },
      },
      request,
    );
    if (connection.status !== previous) {
      publishStatus(this.app, {
        workspaceId: viewer.workspaceId,
        userId: viewer.id,
        connectionId: connection.id,
        status: connection.status,
      });
    }
    if (connection.status === HaConnectionStatus.DISCONNECTED) this.app.homeAssistant.supervisor.poke();
    return {
      success: error === null,
      status: connection.status,
      homeAssistantVersion: connection.homeAssistantVersion ?? null,
      componentCount,
      durationMs,
      error,
    };
  }

  private async findOwn(viewer: Viewer, id: string, withToken = false): Promise<HaConnection> {
    const connection = await this.em.findOne(
      HaConnection,
      { id, user: viewer.id },
      withToken ? { populate: ['encryptedToken'] } : {},
    );
    if (!connection) throw new HaConnectionNotFoundError(id);
    return connection;
  }

  private async flushUnique(): Promise<void> {
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new HaConnectionExistsError();
      throw error;
    }
  }

  private audit(
    viewer: Viewer,
    connectionId: string,
    action: string,
    request: RequestInfo,
    details: Record<string, unknown>,
  ): Promise<void> {
    return new AuditService(this.em).record(
      {
        action,
        success: true,
        workspaceId: viewer.workspaceId,
        userId: viewer.id,
        targetType: 'HaConnection',
        targetId: connectionId,
        details,
      },
      request,
    );
  }
}
