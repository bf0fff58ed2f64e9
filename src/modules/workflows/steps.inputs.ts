import { IsOptional, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType } from 'type-graphql';
import type { JsonObject } from './step.entity';
import { StepAction } from './workflow.enums';

@InputType({ description: 'What the labelling model made of a step' })
export class StepAiInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  label?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  instruction?: string | null;

  @Field(() => Float, { nullable: true, description: '0 to 1' })
  @IsOptional()
  @Min(0)
  @Max(1)
  confidence?: number | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  model?: string | null;
}

@InputType({ description: 'A recorded step' })
export class StepInput {
  @Field(() => StepAction)
  action!: StepAction;

  @Field(() => GraphQLJSONObject, { description: 'Ways to find the element (CSS, XPath, test ids, attributes)' })
  selectors!: JsonObject;

  @Field(() => GraphQLJSONObject, { nullable: true })
  elementMeta?: JsonObject | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  pageContext?: JsonObject | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  actionData?: JsonObject | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  domContext?: JsonObject | null;

  @Field(() => Date, { nullable: true })
  recordedAt?: Date | null;

  @Field(() => ID, { nullable: true, description: 'A screenshot of the same workspace' })
  screenshotId?: string | null;

  @Field(() => StepAiInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  ai?: StepAiInput | null;
}

@InputType({ description: 'Fields to change; a field left out stays as it is, null clears it' })
export class UpdateStepInput {
  @Field(() => ID)
  id!: string;

  @Field(() => StepAction, { nullable: true })
  action?: StepAction | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  selectors?: JsonObject | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  elementMeta?: JsonObject | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  pageContext?: JsonObject | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  actionData?: JsonObject | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  domContext?: JsonObject | null;

  @Field(() => ID, { nullable: true, description: 'Attach a screenshot of the workspace (null detaches it)' })
  screenshotId?: string | null;

  @Field(() => String, { nullable: true, description: 'Admins only' })
  @IsOptional()
  @Length(1, 500)
  label?: string | null;

  @Field(() => String, { nullable: true, description: 'Admins only' })
  @IsOptional()
  @Length(1, 5000)
  instruction?: string | null;
}
