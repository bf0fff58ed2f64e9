import { IsEmail, IsOptional, Length, MaxLength, MinLength } from 'class-validator';
import { Field, InputType, registerEnumType } from 'type-graphql';
import { OrderDirection } from '../../common/order';

@InputType({ description: 'Give `workspaceName` to create a workspace, or `inviteToken` to join one' })
export class SignUpInput {
  @Field()
  @IsEmail({}, { message: 'must be a valid email address' })
  @MaxLength(320)
  email!: string;

  @Field()
  @MinLength(8, { message: 'must be at least 8 characters' })
  @MaxLength(200)
  password!: string;

  @Field()
  @Length(1, 200)
  displayName!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  workspaceName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 64)
  inviteToken?: string | null;
}

@InputType()
export class LogInInput {
  @Field()
  @MaxLength(320)
  email!: string;

  @Field()
  @MaxLength(200)
  password!: string;
}

export enum MemberOrderField {
  CREATED_AT = 'CREATED_AT',
  DISPLAY_NAME = 'DISPLAY_NAME',
  EMAIL = 'EMAIL',
}

registerEnumType(MemberOrderField, { name: 'MemberOrderField' });

@InputType()
export class MemberOrder {
  @Field(() => MemberOrderField)
  field!: MemberOrderField;

  @Field(() => OrderDirection, { nullable: true, description: 'ASC when left out' })
  direction?: OrderDirection | null;
}

@InputType()
export class MemberFilter {
  @Field(() => String, { nullable: true, description: 'Part of the name or email' })
  @IsOptional()
  @MaxLength(200)
  text?: string | null;
}
