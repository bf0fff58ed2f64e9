import { ArrayMaxSize, IsOptional, Length, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType, registerEnumType } from 'type-graphql';
import { OrderDirection } from '../../common/order';
import { StepInput } from './steps.inputs';
import { WorkflowStatus } from './workflow.enums';

export const MAX_TAGS = 20;
export const MAX_STEPS = 500;

@InputType()
export class CreateWorkflowInput {
  @Field()
  @Length(1, 200)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'The page the recording started on' })
  @IsOptional()
  @MaxLength(2000)
  startingUrl?: string | null;

  @Field(() => [String], { nullable: true, description: `At most ${MAX_TAGS}, each 1 to 50 characters` })
  @IsOptional()
  @ArrayMaxSize(MAX_TAGS)
  @Length(1, 50, { each: true })
  tags?: string[] | null;

  @Field(() => [StepInput], { nullable: true, description: 'The recorded steps, in order (numbered 1..n)' })
  @IsOptional()
  @ArrayMaxSize(MAX_STEPS)
  @ValidateNested({ each: true })
  steps?: StepInput[] | null;
}

@InputType({ description: 'Fields to change; a field left out stays as it is, null clears it' })
export class UpdateWorkflowInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  startingUrl?: string | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the tags (null clears them)' })
  @IsOptional()
  @ArrayMaxSize(MAX_TAGS)
  @Length(1, 50, { each: true })
  tags?: string[] | null;
}

@InputType()
export class WorkflowFilter {
  @Field(() => WorkflowStatus, { nullable: true })
  status?: WorkflowStatus | null;

  @Field(() => String, { nullable: true, description: 'Workflows with this tag' })
  @IsOptional()
  @MaxLength(50)
  tag?: string | null;

  @Field(() => String, { nullable: true, description: 'Part of the name or description' })
  @IsOptional()
  @MaxLength(200)
  text?: string | null;
}

export enum WorkflowOrderField {
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
  NAME = 'NAME',
}

registerEnumType(WorkflowOrderField, { name: 'WorkflowOrderField' });

@InputType({ description: 'Default: newest first (CREATED_AT, DESC)' })
export class WorkflowOrder {
  @Field(() => WorkflowOrderField)
  field!: WorkflowOrderField;

  @Field(() => OrderDirection, { nullable: true, description: 'ASC when left out' })
  direction?: OrderDirection | null;
}
