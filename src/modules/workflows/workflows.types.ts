import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import type { JsonObject } from './step.entity';
import { RunStatus, StepAction, WorkflowStatus } from './workflow.enums';

@ObjectType('Workflow', { simpleResolvers: true, description: 'A recorded browser workflow, shared in the workspace' })
export class WorkflowNode {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true, description: 'The page the recording started on' })
  startingUrl!: string | null;

  @Field(() => [String])
  tags!: string[];

  @Field(() => WorkflowStatus)
  status!: WorkflowStatus;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  /** Not GraphQL fields: they resolve `createdBy` and `health`. */
  createdById!: string | null;
  successRate!: number;
  runCount!: number;
  successCount!: number;
  failureCount!: number;
  healedCount!: number;
  consecutiveFailures!: number;
  lastRunAt!: Date | string | null;
  lastSuccessfulRunAt!: Date | string | null;
  lastFailedRunAt!: Date | string | null;
}

@ObjectType('WorkflowHealth', { simpleResolvers: true })
export class WorkflowHealthNode {
  @Field(() => Float, { description: 'Successful and healed runs over all runs, from 0 to 1 (0 before any run)' })
  successRate!: number;

  @Field(() => Int, { description: 'Runs recorded' })
  runs!: number;

  @Field(() => Int)
  successes!: number;

  @Field(() => Int)
  failures!: number;

  @Field(() => Int)
  healed!: number;

  @Field(() => Int, { description: 'Failed runs since the last success' })
  consecutiveFailures!: number;

  @Field(() => Date, { nullable: true })
  lastRunAt!: Date | string | null;

  @Field(() => Date, { nullable: true })
  lastSuccessAt!: Date | string | null;

  @Field(() => Date, { nullable: true })
  lastFailureAt!: Date | string | null;
}

@ObjectType('Screenshot', { simpleResolvers: true, description: 'An image of a workflow, stored once per workspace' })
export class ScreenshotNode {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Hex SHA-256 of the image: the same image is stored once in a workspace' })
  sha256!: string;

  @Field(() => Int, { description: 'Bytes' })
  fileSize!: number;

  @Field(() => Int, { nullable: true })
  width!: number | null;

  @Field(() => Int, { nullable: true })
  height!: number | null;

  @Field({ description: 'png, jpeg, webp or gif' })
  format!: string;

  @Field()
  createdAt!: Date;

  /** Not a GraphQL field: resolves `workflow`. */
  workflowId!: string;
}

@ObjectType('Step', { simpleResolvers: true, description: 'One recorded action of a workflow' })
export class StepNode {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Position in the workflow: 1..n without gaps' })
  stepNumber!: number;

  @Field(() => StepAction)
  action!: StepAction;

  @Field(() => Date, { nullable: true, description: 'When the recorder captured it' })
  recordedAt!: Date | null;

  @Field(() => GraphQLJSONObject, { description: 'Ways to find the element (CSS, XPath, test ids, attributes)' })
  selectors!: JsonObject;

  @Field(() => GraphQLJSONObject, { description: 'The element: tag, role, text, bounding box, …' })
  elementMeta!: JsonObject;

  @Field(() => GraphQLJSONObject, { description: 'The page: URL, title, viewport, …' })
  pageContext!: JsonObject;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'What was typed, chosen or submitted' })
  actionData!: JsonObject | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The DOM around the element' })
  domContext!: JsonObject | null;

  @Field(() => String, { nullable: true, description: 'The field acted on, as the AI named it (admins edit it)' })
  label!: string | null;

  @Field(() => String, { nullable: true, description: 'What to do, for a person (admins edit it)' })
  instruction!: string | null;

  @Field(() => Float, { nullable: true })
  aiConfidence!: number | null;

  @Field(() => String, { nullable: true })
  aiModel!: string | null;

  @Field(() => Date, { nullable: true })
  aiGeneratedAt!: Date | null;

  @Field({ description: 'An admin changed the label' })
  labelEdited!: boolean;

  @Field({ description: 'An admin changed the instruction' })
  instructionEdited!: boolean;

  @Field(() => Date, { nullable: true })
  editedAt!: Date | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The selectors that last healed this step' })
  healedSelectors!: JsonObject | null;

  @Field(() => Date, { nullable: true })
  healedAt!: Date | null;

  @Field(() => Float, { nullable: true })
  healingConfidence!: number | null;

  @Field(() => String, { nullable: true })
  healingMethod!: string | null;

  @Field(() => Int, { description: 'How many runs healed this step' })
  healCount!: number;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  /** Read with the step (joined in the same statement) when it is asked for. */
  @Field(() => ScreenshotNode, { nullable: true })
  screenshot?: ScreenshotNode | null;

  /** Not GraphQL fields: they resolve `workflow` and `editedBy`. */
  workflowId!: string;
  screenshotId!: string | null;
  editedById!: string | null;
}

@ObjectType('HealthLog', { simpleResolvers: true, description: 'One run of a workflow' })
export class HealthLogNode {
  @Field(() => ID)
  id!: string;

  @Field(() => RunStatus)
  status!: RunStatus;

  @Field(() => String, { nullable: true })
  errorType!: string | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'HEALED runs: the selectors that found the step' })
  healedSelectors!: JsonObject | null;

  @Field(() => Float, { nullable: true })
  healingConfidence!: number | null;

  @Field(() => Int, { nullable: true })
  deterministicScore!: number | null;

  @Field(() => Float, { nullable: true })
  aiConfidence!: number | null;

  @Field(() => Int, { nullable: true })
  candidatesEvaluated!: number | null;

  @Field(() => String, { nullable: true })
  pageStateHash!: string | null;

  @Field(() => String, { nullable: true })
  pageUrl!: string | null;

  @Field(() => Int, { nullable: true })
  durationMs!: number | null;

  @Field()
  createdAt!: Date;

  /** Not GraphQL fields: they resolve `workflow`, `step` and `ranBy`. */
  workflowId!: string;
  stepId!: string | null;
  userId!: string | null;
}

@ObjectType('WorkflowHealthSettings', {
  simpleResolvers: true,
  description: "When runs make the workspace's workflows BROKEN or NEEDS_REVIEW",
})
export class WorkflowHealthSettingsNode {
  @Field(() => Int, { description: 'Failed runs in a row that make a workflow BROKEN' })
  brokenAfterFailures!: number;

  @Field(() => Int, { description: 'How many of the last runs are judged for NEEDS_REVIEW' })
  reviewWindowRuns!: number;

  @Field(() => Float, { description: 'Below this success rate (0 to 1) over that window, it NEEDS_REVIEW' })
  reviewBelowSuccessRate!: number;
}

@ObjectType('WorkflowHealthChanged', { simpleResolvers: true })
export class WorkflowHealthChangedNode {
  @Field(() => WorkflowNode, { description: 'The workflow as it is now' })
  workflow!: WorkflowNode;

  @Field(() => HealthLogNode, {
    nullable: true,
    description: 'The run that changed it (null for a status set by hand)',
  })
  run!: HealthLogNode | null;

  @Field(() => WorkflowStatus)
  previousStatus!: WorkflowStatus;
}

export const WorkflowConnection = connectionType(WorkflowNode, 'Workflow');
export const HealthLogConnection = connectionType(HealthLogNode, 'HealthLog');
export const ScreenshotConnection = connectionType(ScreenshotNode, 'Screenshot');
