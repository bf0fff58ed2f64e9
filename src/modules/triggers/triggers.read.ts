import DataLoader from 'dataloader';
import { sql } from 'kysely';
import type { Reader, ScopedQuery } from '../../common/reader';
import type { ActionConfig, TriggerConfig } from './trigger.config';
import type { TriggerConditionNode, TriggerActionNode, TriggerExecutionNode, TriggerNode } from './triggers.types';

/** Each field of a `Trigger` node (and the hidden `calendarItemId`) and its column. */
export const TRIGGER_COLUMNS = {
  id: 'triggers.id',
  triggerType: 'triggers.trigger_type as triggerType',
  isActive: 'triggers.is_active as isActive',
  lastFiredAt: 'triggers.last_fired_at as lastFiredAt',
  nextFireAt: 'triggers.next_fire_at as nextFireAt',
  missedPolicy: 'triggers.missed_policy as missedPolicy',
  createdAt: 'triggers.created_at as createdAt',
  calendarItemId: 'triggers.calendar_item_id as calendarItemId',
} as const;

/** Each field of a `TriggerExecution` node (and the hidden `triggerId`) and its column. */
export const EXECUTION_COLUMNS = {
  id: 'trigger_executions.id',
  firedAt: 'trigger_executions.fired_at as firedAt',
  status: 'trigger_executions.status',
  scheduledFor: 'trigger_executions.scheduled_for as scheduledFor',
  lateMs: 'trigger_executions.late_ms as lateMs',
  triggerId: 'trigger_executions.trigger_id as triggerId',
} as const;

export const selectTrigger = (q: ScopedQuery<'triggers'>) => q.select(Object.values(TRIGGER_COLUMNS));

export const selectExecution = (q: ScopedQuery<'trigger_executions'>) => q.select(Object.values(EXECUTION_COLUMNS));

/** Triggers of many items in one query (the viewer's own), reading `columns` (of TRIGGER_COLUMNS). */
export function triggersByItemLoader(reader: Reader, userId: string, columns: string[]) {
  return new DataLoader<string, TriggerNode[]>(async (itemIds) => {
    const rows = await reader
      .from('triggers')
      .select(columns as never)
      .where('triggers.user_id', '=', userId)
      .where(sql<boolean>`triggers.calendar_item_id = any(${itemIds as string[]}::uuid[])`)
      .orderBy('triggers.created_at')
      .orderBy('triggers.id')
      .execute();
    const byItem = new Map<string, TriggerNode[]>(itemIds.map((id) => [id, []]));
    for (const row of rows as unknown as TriggerNode[]) byItem.get(row.calendarItemId)?.push(row);
    return itemIds.map((id) => byItem.get(id) ?? []);
  });
}

/** The newest `first + 1` executions of many triggers, in one statement. */
export function latestExecutionsLoader(reader: Reader, first: number, columns: string[]) {
  return reader.pagesByParent<'trigger_executions', TriggerExecutionNode>('trigger_executions', columns, {
    parentColumn: 'trigger_executions.trigger_id',
    parentField: 'triggerId',
    sortColumn: 'trigger_executions.fired_at',
    sortField: 'firedAt',
    direction: 'desc',
    first,
  });
}

/** Execution counts of many triggers in one statement. */
export function executionCountLoader(reader: Reader) {
  return reader.countsByParent('trigger_executions', 'trigger_executions.trigger_id');
}

/**
 * The JSON columns (condition and action of triggers, result of executions) are large to parse and
 * often not asked for: lists leave them out, and these loaders read them for the rows that need them.
 */
export function triggerDetailsLoader(reader: Reader) {
  return reader.loader('triggers', (q) =>
    q.select(['triggers.id', 'triggers.trigger_config as triggerConfig', 'triggers.action as actionConfig']),
  );
}

export function executionResultLoader(reader: Reader) {
  return reader.loader('trigger_executions', (q) => q.select(['trigger_executions.id', 'trigger_executions.result']));
}

export function toConditionNode(config: TriggerConfig): TriggerConditionNode {
  const node: TriggerConditionNode = { time: null, location: null, progress: null, nfc: null, haState: null };
  if ('at' in config || 'cron' in config || 'minutesBefore' in config) {
    node.time = {
      at: 'at' in config ? new Date(config.at) : null,
      cron: 'cron' in config ? config.cron : null,
      timeZone: 'cron' in config ? config.timeZone : null,
      minutesBefore: 'minutesBefore' in config ? config.minutesBefore : null,
    };
  } else if ('radiusMeters' in config) {
    node.location = config;
  } else if ('thresholdPercent' in config) {
    node.progress = config;
  } else if ('entityId' in config) {
    node.haState = config;
  } else {
    node.nfc = config;
  }
  return node;
}

export function toActionNode(config: ActionConfig): TriggerActionNode {
  return {
    type: config.type,
    title: 'title' in config ? (config.title ?? null) : null,
    message: 'message' in config ? (config.message ?? null) : null,
    status: 'status' in config ? config.status : null,
    url: 'url' in config ? config.url : null,
    timeoutMs: 'timeoutMs' in config ? config.timeoutMs : null,
    connectionId: 'connectionId' in config ? config.connectionId : null,
    domain: 'domain' in config ? config.domain : null,
    service: 'service' in config ? config.service : null,
    serviceData: 'serviceData' in config ? config.serviceData : null,
    target: 'target' in config ? config.target : null,
  };
}
