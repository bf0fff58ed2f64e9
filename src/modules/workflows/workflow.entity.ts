import type { Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { WorkflowStatus } from './workflow.enums';

type WorkflowDefaults =
  | 'tags'
  | 'status'
  | 'successRate'
  | 'runCount'
  | 'successCount'
  | 'failureCount'
  | 'healedCount'
  | 'consecutiveFailures';

/** A recorded browser workflow of a workspace: ordered steps, and how well its runs go. */
@Entity({ tableName: 'workflows' })
@Index({ properties: ['workspace', 'createdAt'] })
@Index({
  name: 'workflows_tags_index',
  expression: 'create index "workflows_tags_index" on "workflows" using gin ("tags")',
})
export class Workflow extends BaseEntity<WorkflowDefaults> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'set null', nullable: true, index: true })
  createdBy?: Rel<User> | null;

  @Property({ length: 200 })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  /** The page the recording started on. */
  @Property({ type: 'text', nullable: true })
  startingUrl?: string | null;

  @Property({ type: 'jsonb', default: '[]' })
  tags: string[] = [];

  @Enum({ items: () => WorkflowStatus, nativeEnumName: 'workflow_status', default: WorkflowStatus.DRAFT })
  @Index()
  status: WorkflowStatus = WorkflowStatus.DRAFT;

  /** Successful (and healed) runs over all runs, 0 to 1. */
  @Property({ type: 'double', default: 0 })
  successRate = 0;

  @Property({ type: 'integer', default: 0 })
  runCount = 0;

  @Property({ type: 'integer', default: 0 })
  successCount = 0;

  @Property({ type: 'integer', default: 0 })
  failureCount = 0;

  @Property({ type: 'integer', default: 0 })
  healedCount = 0;

  @Property({ type: 'integer', default: 0 })
  consecutiveFailures = 0;

  @Property({ type: 'timestamptz', nullable: true })
  lastRunAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastSuccessfulRunAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastFailedRunAt?: Date | null;

  /** Runs before this time no longer count towards NEEDS_REVIEW (set when it is made ACTIVE again). */
  @Property({ type: 'timestamptz', nullable: true })
  healthSince?: Date | null;
}
