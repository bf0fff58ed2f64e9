import { IsOptional, Max, MaxLength, Min } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import type { JsonObject } from './step.entity';
import { RunStatus } from './workflow.enums';

@InputType({ description: 'How one run of a workflow went' })
export class RecordWorkflowRunInput {
  @Field(() => ID)
  workflowId!: string;

  @Field(() => RunStatus)
  status!: RunStatus;

  @Field(() => ID, { nullable: true, description: 'FAILURE: the step that failed; HEALED: the step healed' })
  failedStepId?: string | null;

  @Field(() => String, { nullable: true, description: 'What went wrong' })
  @IsOptional()
  @MaxLength(10_000)
  error?: string | null;

  @Field(() => String, { nullable: true, description: 'e.g. element_not_found, timeout' })
  @IsOptional()
  @MaxLength(100)
  errorType?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'HEALED: the selectors that found the step' })
  healedSelectors?: JsonObject | null;

  @Field(() => Float, { nullable: true, description: 'HEALED: 0 to 1' })
  @IsOptional()
  @Min(0)
  @Max(1)
  healingConfidence?: number | null;

  @Field(() => String, { nullable: true, description: 'HEALED: e.g. deterministic, ai' })
  @IsOptional()
  @MaxLength(50)
  healingMethod?: string | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(1_000_000)
  deterministicScore?: number | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(1)
  aiConfidence?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(1_000_000)
  candidatesEvaluated?: number | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(128)
  pageStateHash?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  pageUrl?: string | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(86_400_000)
  durationMs?: number | null;
}

@InputType()
export class HealthLogFilter {
  @Field(() => RunStatus, { nullable: true })
  status?: RunStatus | null;
}

@InputType({ description: 'Settings to change; a field left out stays as it is' })
export class WorkflowHealthSettingsInput {
  @Field(() => Int, { nullable: true, description: 'Failed runs in a row that make a workflow BROKEN (1 to 1000)' })
  @IsOptional()
  @Min(1)
  @Max(1000)
  brokenAfterFailures?: number | null;

  @Field(() => Int, { nullable: true, description: 'How many of the last runs are judged (1 to 1000)' })
  @IsOptional()
  @Min(1)
  @Max(1000)
  reviewWindowRuns?: number | null;

  @Field(() => Float, { nullable: true, description: 'Success rate (0 to 1) below which a workflow needs review' })
  @IsOptional()
  @Min(0)
  @Max(1)
  reviewBelowSuccessRate?: number | null;
}
