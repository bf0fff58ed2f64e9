import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { uuidv7 } from 'uuidv7';
import { Workspace } from '../accounts/workspace.entity';
import { TaskExecutionStatus, TaskRunKind } from './assistant.enums';
import { Task } from './task.entity';

/** One run of a task: its state, attempts, times, output and error. */
@Entity({ tableName: 'task_executions' })
@Index({ properties: ['task', 'createdAt'] })
@Unique({ name: 'task_executions_task_scheduled_unique', properties: ['task', 'scheduledFor'] })
@Index({
  name: 'task_executions_one_active_unique',
  expression: `create unique index "task_executions_one_active_unique" on "task_executions" ("task_id") where "status" in ('PENDING', 'RUNNING')`,
})
@Index({
  name: 'task_executions_pending_index',
  expression: `create index "task_executions_pending_index" on "task_executions" ("next_attempt_at") where "status" = 'PENDING'`,
})
@Index({
  name: 'task_executions_running_index',
  expression: `create index "task_executions_running_index" on "task_executions" ("lease_expires_at") where "status" = 'RUNNING'`,
})
export class TaskExecution {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'attempt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Task, { deleteRule: 'cascade' })
  task!: Rel<Task>;

  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @Enum({ items: () => TaskExecutionStatus, nativeEnumName: 'task_execution_status' })
  status!: TaskExecutionStatus;

  @Enum({ items: () => TaskRunKind, nativeEnumName: 'task_run_kind' })
  kind!: TaskRunKind;

  /** Scheduled runs: the time it was due (unique per task, so each time runs once). */
  @Property({ type: 'timestamptz', nullable: true })
  scheduledFor?: Date | null;

  @Property({ type: 'integer', default: 1 })
  attempt = 1;

  /** When the current (or last) attempt started. */
  @Property({ type: 'timestamptz', nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  finishedAt?: Date | null;

  /** Of the last attempt, in milliseconds. */
  @Property({ type: 'integer', nullable: true })
  durationMs?: number | null;

  @Property({ type: 'text', nullable: true })
  output?: string | null;

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  /** PENDING: when it may start (now, or after a retry's backoff). */
  @Property({ type: 'timestamptz', nullable: true })
  nextAttemptAt?: Date | null;

  /** RUNNING: after this, its instance is taken to have died and the run is retried or failed. */
  @Property({ type: 'timestamptz', nullable: true })
  leaseExpiresAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
