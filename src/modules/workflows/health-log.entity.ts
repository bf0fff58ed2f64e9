import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { uuidv7 } from 'uuidv7';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import type { JsonObject } from './step.entity';
import { Step } from './step.entity';
import { RunStatus } from './workflow.enums';
import { Workflow } from './workflow.entity';

/** One run of a workflow: how it went, where it failed, what healing did, how long it took. */
@Entity({ tableName: 'health_logs' })
@Index({ properties: ['workflow', 'createdAt'] })
export class HealthLog {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => Workflow, { deleteRule: 'cascade' })
  workflow!: Rel<Workflow>;

  /** The step that failed (or was healed); kept as null when the step is deleted. */
  @ManyToOne(() => Step, { deleteRule: 'set null', nullable: true, index: true })
  step?: Rel<Step> | null;

  /** Who ran it; kept as null when the user is removed. */
  @ManyToOne(() => User, { deleteRule: 'set null', nullable: true, index: true })
  user?: Rel<User> | null;

  @Enum({ items: () => RunStatus, nativeEnumName: 'run_status' })
  @Index()
  status!: RunStatus;

  @Property({ length: 100, nullable: true })
  errorType?: string | null;

  @Property({ type: 'text', nullable: true })
  errorMessage?: string | null;

  @Property({ type: 'jsonb', nullable: true })
  healedSelectors?: JsonObject | null;

  @Property({ type: 'double', nullable: true })
  healingConfidence?: number | null;

  @Property({ type: 'integer', nullable: true })
  deterministicScore?: number | null;

  @Property({ type: 'double', nullable: true })
  aiConfidence?: number | null;

  @Property({ type: 'integer', nullable: true })
  candidatesEvaluated?: number | null;

  @Property({ length: 128, nullable: true })
  pageStateHash?: string | null;

  @Property({ type: 'text', nullable: true })
  pageUrl?: string | null;

  @Property({ type: 'integer', nullable: true })
  durationMs?: number | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
