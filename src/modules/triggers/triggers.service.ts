import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { App } from '../../app';
import { paginate, type Connection } from '../../common/pagination';
import type { Reader } from '../../common/reader';
import type { Viewer } from '../../context';
import type { DB } from '../../db/tables';
import { CalendarItem } from '../calendar/calendar-item.entity';
import { CalendarItemNotFoundError } from '../calendar/calendar.errors';
import { asRecurring } from '../calendar/calendar.service';
import { parseAction } from './actions';
import { normaliseTagId, parseCondition } from './conditions';
import { crossing, sideOfFence } from './geofence';
import { nextFireTime } from './schedule';
import type { ActionConfig, LocationConfig, ProgressConfig, TimeConfig, TriggerConfig } from './trigger.config';
import { HaLiveService } from '../home-assistant/ha-live.service';
import { HaConnectionNotFoundError } from '../home-assistant/ha.errors';
import { haEntityKey } from './ha-state-triggers';
import { firingQuery, toFiring, type Firing, type FiredExecution, type TriggerEngine } from './trigger-engine';
import { Trigger } from './trigger.entity';
import { MissedFirePolicy, TriggerType } from './trigger.enums';
import { TriggerNotFoundError } from './triggers.errors';
import type { CreateTriggerInput, ReportLocationInput, UpdateTriggerInput } from './triggers.inputs';
import { selectExecution, selectTrigger } from './triggers.read';
import type { TriggerExecutionNode, TriggerNode } from './triggers.types';

/** Triggers of the viewer's calendar items, and the events that fire them. */
export class TriggersService {
  constructor(
    private readonly app: App,
    private readonly em: EntityManager,
    private readonly engine: TriggerEngine,
  ) {}

  async create(viewer: Viewer, input: CreateTriggerInput): Promise<Trigger> {
    const item = await this.em.findOne(CalendarItem, { id: input.calendarItemId, user: viewer.id });
    if (!item) throw new CalendarItemNotFoundError(input.calendarItemId);
    const { type, config } = parseCondition(input.condition);
    const action = parseAction(input.action);
    await this.checkConnections(viewer, config, action);
    const trigger = this.em.create(Trigger, {
      workspace: viewer.workspaceId,
      user: viewer.id,
      calendarItem: item,
      triggerType: type,
      triggerConfig: config,
      action,
      isActive: input.isActive ?? true,
      missedPolicy: input.missedPolicy ?? MissedFirePolicy.FIRE_ONCE_LATE,
      nfcTagId: 'tagId' in config ? config.tagId : null,
      haEntityKey: haEntityKey(config),
    });
    this.schedule(trigger, item);
    await this.em.flush();
    return trigger;
  }

  async update(viewer: Viewer, input: UpdateTriggerInput): Promise<Trigger> {
    const trigger = await this.findOwn(viewer, input.id);
    const condition = input.condition ? parseCondition(input.condition) : null;
    const action = input.action ? parseAction(input.action) : null;
    await this.checkConnections(viewer, condition?.config ?? null, action);
    if (condition) {
      const { type, config } = condition;
      trigger.triggerType = type;
      trigger.triggerConfig = config;
      trigger.nfcTagId = 'tagId' in config ? config.tagId : null;
      trigger.haEntityKey = haEntityKey(config);
      trigger.state = {};
    }
    if (action) trigger.action = action;
    if (input.isActive != null) trigger.isActive = input.isActive;
    if (input.missedPolicy != null) trigger.missedPolicy = input.missedPolicy;
    this.schedule(trigger, await this.em.findOneOrFail(CalendarItem, trigger.calendarItem.id));
    await this.em.flush();
    return trigger;
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const trigger = await this.findOwn(viewer, id);
    this.em.remove(trigger);
    await this.em.flush();
    return true;
  }

  /** After an item's start or recurrence changed: when its "minutes before" triggers fire next. */
  async itemTimingChanged(item: CalendarItem): Promise<void> {
    const triggers = await this.em.find(Trigger, { calendarItem: item.id, triggerType: TriggerType.TIME });
    for (const trigger of triggers) this.schedule(trigger, item);
    await this.em.flush();
  }

  /** After an item's progress changed: fire the PROGRESS triggers whose threshold it crossed upwards. */
  async progressChanged(viewer: Viewer, item: CalendarItem, previous: number): Promise<FiredExecution[]> {
    if (item.progressPercent <= previous) return [];
    const rows = await this.activeOfType(viewer, TriggerType.PROGRESS)
      .where('t.calendar_item_id', '=', item.id)
      .execute();
    const firings = rows.flatMap((row) => {
      const config = row.trigger_config as ProgressConfig;
      const crossed = previous < config.thresholdPercent && item.progressPercent >= config.thresholdPercent;
      if (!crossed || (config.once && row.state.fired)) return [];
      return [
        this.firing(row, {
          reason: { progress: { from: previous, to: item.progressPercent } },
          state: { fired: true },
        }),
      ];
    });
    return this.engine.fire(firings);
  }

  /** Fires ENTER/EXIT for each geofence the reported position really crossed. */
  async reportLocation(viewer: Viewer, input: ReportLocationInput): Promise<FiredExecution[]> {
    const rows = await this.activeOfType(viewer, TriggerType.LOCATION).execute();
    const firings: Firing[] = [];
    const sides: Array<{ id: string; inside: boolean }> = [];
    for (const row of rows) {
      const fence = row.trigger_config as LocationConfig;
      const side = sideOfFence(fence, { ...input, accuracyMeters: input.accuracyMeters ?? 0 });
      const transition = crossing(row.state.inside, side);
      if (side !== null && side !== row.state.inside) sides.push({ id: row.id, inside: side });
      if (transition && transition === fence.on) {
        firings.push(this.firing(row, { reason: { transition, position: { ...input } }, state: { inside: side! } }));
      }
    }
    const firedIds = new Set(firings.map((f) => f.trigger.id));
    const unfired = sides.filter((s) => !firedIds.has(s.id));
    if (unfired.length > 0) {
      await sql`
        update triggers t set state = t.state || jsonb_build_object('inside', x.inside), updated_at = now()
          from unnest(${unfired.map((s) => s.id)}::uuid[], ${unfired.map((s) => s.inside)}::boolean[]) as x(id, inside)
         where t.id = x.id`.execute(this.em.getKysely<DB>());
    }
    return this.engine.fire(firings);
  }

  /** Fires the viewer's NFC triggers for this tag. */
  async scanNfcTag(viewer: Viewer, tagId: string): Promise<FiredExecution[]> {
    const rows = await this.activeOfType(viewer, TriggerType.NFC)
      .where('t.nfc_tag_id', '=', normaliseTagId(tagId))
      .execute();
    return this.engine.fire(rows.map((row) => this.firing(row, { reason: { tagId: normaliseTagId(tagId) } })));
  }

  get(reader: Reader, viewer: Viewer, id: string): Promise<TriggerNode | undefined> {
    return selectTrigger(reader.from('triggers'))
      .where('triggers.user_id', '=', viewer.id)
      .where('triggers.id', '=', id)
      .executeTakeFirst() as Promise<TriggerNode | undefined>;
  }

  executions(
    reader: Reader,
    triggerId: string,
    first: number,
    after?: string | null,
  ): Promise<Connection<TriggerExecutionNode>> {
    return paginate({
      query: selectExecution(reader.from('trigger_executions')).where('trigger_executions.trigger_id', '=', triggerId),
      idColumn: 'trigger_executions.id',
      sort: { column: 'trigger_executions.fired_at', field: 'firedAt', direction: 'desc' },
      first,
      after,
    }) as Promise<Connection<TriggerExecutionNode>>;
  }

  async findOwn(viewer: Viewer, id: string): Promise<Trigger> {
    const trigger = await this.em.findOne(Trigger, { id, user: viewer.id });
    if (!trigger) throw new TriggerNotFoundError(id);
    return trigger;
  }

  /** Sets `nextFireAt` of a TIME trigger (null for other types or when nothing is left). */
  /** A Home Assistant connection a condition or action names must be the viewer's own. */
  private async checkConnections(viewer: Viewer, config: TriggerConfig | null, action: ActionConfig | null) {
    const ids = [
      config && 'entityId' in config ? config.connectionId : null,
      action && 'connectionId' in action ? action.connectionId : null,
    ].filter((id): id is string => id !== null);
    const live = new HaLiveService(this.app);
    for (const id of ids) {
      if (!(await live.owns({ workspaceId: viewer.workspaceId, userId: viewer.id }, id))) {
        throw new HaConnectionNotFoundError(id);
      }
    }
  }

  private schedule(trigger: Trigger, item: CalendarItem): void {
    if (trigger.triggerType !== TriggerType.TIME || !trigger.isActive) {
      trigger.nextFireAt = null;
      return;
    }
    const recurring = item.startTime
      ? asRecurring({
          ...item,
          startTime: item.startTime,
          endTime: item.endTime ?? null,
          recurrenceRule: item.recurrenceRule ?? null,
        })
      : null;
    trigger.nextFireAt = nextFireTime(trigger.triggerConfig as TimeConfig, recurring, this.app.clock());
  }

  private activeOfType(viewer: Viewer, type: TriggerType) {
    return firingQuery(this.em.getKysely<DB>())
      .where('t.workspace_id', '=', viewer.workspaceId)
      .where('t.user_id', '=', viewer.id)
      .where('t.trigger_type', '=', type)
      .where('t.is_active', '=', true);
  }

  private firing(row: Parameters<typeof toFiring>[0], extra: Pick<Firing, 'reason' | 'state'>): Firing {
    return toFiring(row, { firedAt: this.app.clock(), scheduledFor: null, lateMs: null }, extra);
  }
}
