import type { Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { MissedFirePolicy } from '../triggers/trigger.enums';
import { TaskActionType, TaskNotifyOn, TaskPriority } from './assistant.enums';
import type { TaskActionConfig } from './task.config';

/** Something the assistant does on a cron schedule for its owner. */
@Entity({ tableName: 'tasks' })
@Index({
  name: 'tasks_due_index',
  expression: 'create index "tasks_due_index" on "tasks" ("next_run_at") where "enabled" and "next_run_at" is not null',
})
@Index({ properties: ['user', 'name'] })
export class Task extends BaseEntity<
  'enabled' | 'priority' | 'notifyOn' | 'timeoutSeconds' | 'maxAttempts' | 'retryBackoffSeconds' | 'missedPolicy'
> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  /** The owner: only they see the task, and it runs as them. */
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @Property({ length: 200 })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  /** Five- or six-field cron expression, in `timeZone`. */
  @Property({ length: 120 })
  cron!: string;

  @Property({ length: 64, default: 'UTC' })
  timeZone!: string;

  @Enum({ items: () => TaskActionType, nativeEnumName: 'task_action_type' })
  actionType!: TaskActionType;

  @Property({ type: 'jsonb' })
  action!: TaskActionConfig;

  @Property({ type: 'boolean', default: true })
  enabled = true;

  @Enum({ items: () => TaskPriority, nativeEnumName: 'task_priority', default: TaskPriority.DEFAULT })
  priority: TaskPriority = TaskPriority.DEFAULT;

  @Enum({ items: () => TaskNotifyOn, nativeEnumName: 'task_notify_on', default: TaskNotifyOn.BOTH })
  notifyOn: TaskNotifyOn = TaskNotifyOn.BOTH;

  /** A run still going after this long is stopped and recorded as TIMED_OUT. */
  @Property({ type: 'integer', default: 300 })
  timeoutSeconds = 300;

  /** Attempts per run (1: no retry). */
  @Property({ type: 'integer', default: 1 })
  maxAttempts = 1;

  /** Wait before the first retry; it doubles for each further one. */
  @Property({ type: 'integer', default: 60 })
  retryBackoffSeconds = 60;

  @Enum({
    items: () => MissedFirePolicy,
    nativeEnumName: 'missed_fire_policy',
    default: MissedFirePolicy.FIRE_ONCE_LATE,
  })
  missedPolicy: MissedFirePolicy = MissedFirePolicy.FIRE_ONCE_LATE;

  @Property({ type: 'timestamptz', nullable: true })
  lastRunAt?: Date | null;

  /** When it runs next (null while disabled). */
  @Property({ type: 'timestamptz', nullable: true })
  nextRunAt?: Date | null;
}
