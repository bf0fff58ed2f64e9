import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestInfo } from '../../context';
import { uuidv7 } from 'uuidv7';
import { AuditLog } from './audit-log.entity';

export interface AuditEntry {
  action: string;
  success: boolean;
  workspaceId?: string | null;
  userId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  errorMessage?: string | null;
  durationMs?: number | null;
  details?: Record<string, unknown> | null;
}

/** Writes the security audit trail. Entries are inserted directly, never updated. */
export class AuditService {
  constructor(private readonly em: EntityManager) {}

  async record(entry: AuditEntry, request?: RequestInfo): Promise<void> {
    await this.em.insert(AuditLog, {
      id: uuidv7(),
      action: entry.action,
      success: entry.success,
      workspace: entry.workspaceId ?? null,
      user: entry.userId ?? null,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      errorMessage: entry.errorMessage ?? null,
      durationMs: entry.durationMs ?? null,
      details: entry.details ?? null,
      ipAddress: request?.ip ?? null,
      userAgent: request?.userAgent ?? null,
      createdAt: new Date(),
    });
  }
}
