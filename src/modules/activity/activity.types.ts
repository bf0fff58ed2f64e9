import { IsOptional, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';

@ObjectType('ActivityEvent', { simpleResolvers: true, description: "An entry of the viewer's activity feed" })
export class ActivityEventNode {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'e.g. task.succeeded, trigger.fired, auth.signed_in' })
  type!: string;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field()
  createdAt!: Date;
}

export const ActivityEventConnection = connectionType(ActivityEventNode, 'ActivityEvent');

@InputType()
export class ActivityFilter {
  @Field(() => String, {
    nullable: true,
    description: 'This type, or a group of them: `task` is every `task.…` type',
  })
  @IsOptional()
  @MaxLength(100)
  type?: string | null;

  @Field(() => Date, { nullable: true, description: 'At or after this time' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Before this time' })
  to?: Date | null;
}
