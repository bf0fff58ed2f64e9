import { DeferMode, type Rel } from '@mikro-orm/core';
import { Check, Entity, Enum, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { Screenshot } from './screenshot.entity';
import { StepAction } from './workflow.enums';
import { Workflow } from './workflow.entity';

export type JsonObject = Record<string, unknown>;

/**
 * One recorded action of a workflow. Steps are numbered 1..n without gaps; the unique number per
 * workflow is checked at commit, so a whole reorder can be written in one transaction.
 */
@Entity({ tableName: 'steps' })
@Unique({
  name: 'steps_workflow_id_step_number_unique',
  properties: ['workflow', 'stepNumber'],
  deferMode: DeferMode.INITIALLY_DEFERRED,
})
@Check({ name: 'steps_step_number_check', expression: 'step_number >= 1' })
export class Step extends BaseEntity<
  'elementMeta' | 'pageContext' | 'labelEdited' | 'instructionEdited' | 'healCount'
> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => Workflow, { deleteRule: 'cascade' })
  workflow!: Rel<Workflow>;

  @ManyToOne(() => Screenshot, { deleteRule: 'set null', nullable: true, index: true })
  screenshot?: Rel<Screenshot> | null;

  @Property({ type: 'integer' })
  stepNumber!: number;

  /** When the recorder captured the step. */
  @Property({ type: 'timestamptz', nullable: true })
  recordedAt?: Date | null;

  @Enum({ items: () => StepAction, nativeEnumName: 'step_action' })
  action!: StepAction;

  /** Ways to find the element again (CSS, XPath, test ids, stable attributes). */
  @Property({ type: 'jsonb' })
  selectors!: JsonObject;

  @Property({ type: 'jsonb', default: '{}' })
  elementMeta: JsonObject = {};

  @Property({ type: 'jsonb', default: '{}' })
  pageContext: JsonObject = {};

  @Property({ type: 'jsonb', nullable: true })
  actionData?: JsonObject | null;

  @Property({ type: 'jsonb', nullable: true })
  domContext?: JsonObject | null;

  /** The label of the field acted on, as the AI named it (or an admin corrected it). */
  @Property({ type: 'text', nullable: true })
  label?: string | null;

  @Property({ type: 'text', nullable: true })
  instruction?: string | null;

  @Property({ type: 'double', nullable: true })
  aiConfidence?: number | null;

  @Property({ length: 100, nullable: true })
  aiModel?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  aiGeneratedAt?: Date | null;

  @Property({ type: 'boolean', default: false })
  labelEdited = false;

  @Property({ type: 'boolean', default: false })
  instructionEdited = false;

  /** The admin who last edited the label or instruction. */
  @ManyToOne(() => User, { deleteRule: 'set null', nullable: true, index: true })
  editedBy?: Rel<User> | null;

  @Property({ type: 'timestamptz', nullable: true })
  editedAt?: Date | null;

  /** The selectors that found the element when the recorded ones no longer did. */
  @Property({ type: 'jsonb', nullable: true })
  healedSelectors?: JsonObject | null;

  @Property({ type: 'timestamptz', nullable: true })
  healedAt?: Date | null;

  @Property({ type: 'double', nullable: true })
  healingConfidence?: number | null;

  @Property({ length: 50, nullable: true })
  healingMethod?: string | null;

  /** How many runs healed this step. */
  @Property({ type: 'integer', default: 0 })
  healCount = 0;
}
