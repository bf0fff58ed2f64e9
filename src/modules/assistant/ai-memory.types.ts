import { IsOptional, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';

@ObjectType('AiMemory', { simpleResolvers: true, description: 'Something the assistant remembers about the viewer' })
export class AiMemoryNode {
  @Field(() => ID)
  id!: string;

  @Field({ description: "Unique among the viewer's memories" })
  key!: string;

  @Field()
  value!: string;

  @Field(() => String, { nullable: true })
  category!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export const AiMemoryConnection = connectionType(AiMemoryNode, 'AiMemory');

@InputType()
export class AiMemoryFilter {
  @Field(() => String, { nullable: true, description: 'Keys starting with this' })
  @IsOptional()
  @MaxLength(200)
  prefix?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  category?: string | null;
}
