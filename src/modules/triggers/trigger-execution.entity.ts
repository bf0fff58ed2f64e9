import { BigIntType, OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { uuidv7 } from 'uuidv7';
import { Workspace } from '../accounts/workspace.entity';
import { Trigger } from './trigger.entity';
import { TriggerExecutionStatus } from './trigger.enums';

/** One firing of a trigger and what its action did. */
@Entity({ tableName: 'trigger_executions' })
@Index({ properties: ['trigger', 'firedAt'] })
@Unique({ name: 'trigger_executions_trigger_scheduled_unique', properties: ['trigger', 'scheduledFor'] })
export class TriggerExecution {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Trigger, { deleteRule: 'cascade' })
  trigger!: Rel<Trigger>;

  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @Property({ type: 'timestamptz' })
  firedAt!: Date;

  @Enum({ items: () => TriggerExecutionStatus, nativeEnumName: 'trigger_execution_status' })
  @Index()
  status!: TriggerExecutionStatus;

  @Property({ type: 'jsonb', nullable: true })
  result?: Record<string, unknown> | null;

  /** TIME firings: the time it was due (unique per trigger, so a time fires once). */
  @Property({ type: 'timestamptz', nullable: true })
  scheduledFor?: Date | null;

  /** How late the firing was, in milliseconds (days, after a long downtime: so a bigint). */
  @Property({ type: new BigIntType('number'), nullable: true })
  lateMs?: number | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
