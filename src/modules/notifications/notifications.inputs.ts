import { IsOptional, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class UpdateNotificationSettingsInput {
  @Field(() => String, {
    nullable: true,
    description: 'ntfy topic (letters, digits, - and _, at most 64); null or empty stops pushes',
  })
  @IsOptional()
  @Matches(/^([A-Za-z0-9_-]{1,64})?$/, { message: 'ntfyTopic may hold letters, digits, - and _ (at most 64)' })
  ntfyTopic?: string | null;
}
