import { sql } from 'kysely';
import type { App } from '../../app';
import type { RequestInfo } from '../../context';
import type { DB } from '../../db/tables';
import { AuditService } from '../audit/audit.service';
import { HaAuthError, HaClient, HaCommandError, HaConnectionError, type HaState } from './ha-client';
import { openToken } from './ha-token';
import { validService } from './ha-validation';
import { HaConnectionNotFoundError, HaUnavailableError } from './ha.errors';
import type { HaServiceCallResultNode, HaStateNode } from './ha.types';

/** Who acts: a signed-in user, or the owner on whose behalf a trigger runs. */
export interface HaActor {
  workspaceId: string;
  userId: string;
}

export interface ServiceCall {
  connectionId: string;
  domain: string;
  service: string;
  serviceData?: Record<string, unknown> | null;
  target?: Record<string, unknown> | null;
}

const CALL_TIMEOUT_MS = 15_000;

/**
 * Commands to a user's Home Assistant: through the open link when this instance holds the
 * connection, else over a short-lived one. Every service call is audited.
 */
export class HaLiveService {
  constructor(private readonly app: App) {}

  async callService(actor: HaActor, call: ServiceCall, request?: RequestInfo): Promise<HaServiceCallResultNode> {
    const { domain, service } = validService(call.domain, call.service);
    const started = performance.now();
    let error: string | null = null;
    let audited = true;
    try {
      const result = await this.withClient(actor, call.connectionId, (client) =>
        client.callService({
          domain,
          service,
          ...(call.serviceData ? { serviceData: call.serviceData } : {}),
          ...(call.target ? { target: call.target } : {}),
        }),
      );
      const answer = (typeof result === 'object' && result !== null ? result : {}) as {
        context?: { id?: unknown };
        response?: unknown;
      };
      return {
        response:
          typeof answer.response === 'object' && answer.response !== null
            ? (answer.response as Record<string, unknown>)
            : null,
        contextId: typeof answer.context?.id === 'string' ? answer.context.id : null,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
      // Someone else's (or no) connection: nothing was called, nothing to audit against it.
      audited = !(caught instanceof HaConnectionNotFoundError);
      throw caught;
    } finally {
      if (audited) {
        await new AuditService(this.app.orm.em.fork()).record(
          {
            action: 'ha.call_service',
            success: error === null,
            workspaceId: actor.workspaceId,
            userId: actor.userId,
            targetType: 'HaConnection',
            targetId: call.connectionId,
            errorMessage: error,
            durationMs: Math.round(performance.now() - started),
            details: { domain, service, target: call.target ?? null, dataKeys: Object.keys(call.serviceData ?? {}) },
          },
          request,
        );
      }
    }
  }

  async states(actor: HaActor, connectionId: string): Promise<HaStateNode[]> {
    const states = await this.withClient(actor, connectionId, (client) => client.getStates());
    return states
      .map((s: HaState) => ({
        entityId: s.entity_id,
        state: s.state,
        attributes: s.attributes ?? {},
        lastChanged: new Date(s.last_changed),
        lastUpdated: new Date(s.last_updated),
      }))
      .sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0));
  }

  /** Whether the actor owns the connection (a trigger's action may only use its owner's). */
  async owns(actor: HaActor, connectionId: string): Promise<boolean> {
    const row = await this.app.orm.em
      .getKysely<DB>()
      .selectFrom('ha_connections')
      .select('id')
      .where('id', '=', connectionId)
      .where('workspace_id', '=', actor.workspaceId)
      .where('user_id', '=', actor.userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  private async withClient<T>(actor: HaActor, connectionId: string, fn: (client: HaClient) => Promise<T>): Promise<T> {
    const live = this.app.homeAssistant.supervisor.liveClient(connectionId);
    if (live) return this.translate(() => fn(live));
    const row = await sql<{ url: string; encrypted_token: string }>`
      select url, encrypted_token from ha_connections
       where id = ${connectionId} and workspace_id = ${actor.workspaceId} and user_id = ${actor.userId}`.execute(
      this.app.orm.em.getKysely<DB>(),
    );
    const connection = row.rows[0];
    if (!connection) throw new HaConnectionNotFoundError(connectionId);
    const accessToken = openToken(this.app.secrets, actor.workspaceId, connectionId, connection.encrypted_token);
    return this.translate(async () => {
      const client = await HaClient.connect({
        url: connection.url,
        accessToken,
        connectTimeoutMs: CALL_TIMEOUT_MS,
        commandTimeoutMs: CALL_TIMEOUT_MS,
      });
      try {
        return await fn(client);
      } finally {
        await client.close();
      }
    });
  }

  private async translate<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof HaCommandError) {
        throw new HaUnavailableError(`Home Assistant refused: ${error.message} (${error.code})`);
      }
      if (error instanceof HaAuthError)
        throw new HaUnavailableError(`Home Assistant refused the token: ${error.message}`);
      if (error instanceof HaConnectionError) throw new HaUnavailableError(error.message);
      throw error;
    }
  }
}
