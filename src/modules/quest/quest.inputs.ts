import { Field, ID, InputType, Int } from 'type-graphql';
import { GoalKind, GoalPeriod, QuestEventKind, QuestProvider, RawEventStatus } from './quest.enums';

@InputType()
export class PetTraitsInput {
  @Field(() => String, { nullable: true, description: 'Default green' })
  color?: string | null;
}

@InputType()
export class CreatePetInput {
  @Field()
  name!: string;

  @Field({ description: 'Any kind of creature, e.g. dragon' })
  species!: string;

  @Field(() => PetTraitsInput, { nullable: true })
  traits?: PetTraitsInput | null;
}

@InputType()
export class QuestEventFilter {
  @Field(() => [QuestEventKind], { nullable: true })
  kinds?: QuestEventKind[] | null;

  @Field(() => QuestProvider, { nullable: true })
  provider?: QuestProvider | null;

  @Field(() => Date, { nullable: true, description: 'Events that happened at or after' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Events that happened before' })
  to?: Date | null;
}

@InputType()
export class RawEventFilter {
  @Field(() => QuestProvider, { nullable: true })
  provider?: QuestProvider | null;

  @Field(() => RawEventStatus, { nullable: true })
  status?: RawEventStatus | null;

  @Field(() => ID, { nullable: true })
  integrationId?: string | null;
}

@InputType()
export class CreateGoalInput {
  @Field(() => GoalKind)
  kind!: GoalKind;

  @Field(() => Int, { description: 'Per period: commits, pull requests, steps, minutes or hours, by kind' })
  target!: number;

  @Field(() => GoalPeriod)
  period!: GoalPeriod;

  @Field(() => String, { nullable: true, description: 'IANA time zone of its days and weeks (default UTC)' })
  timeZone?: string | null;
}

@InputType({ description: 'Fields to change; a field left out stays as it is' })
export class UpdateGoalInput {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { nullable: true })
  target?: number | null;

  @Field(() => GoalPeriod, { nullable: true, description: 'Changing the period starts the streak again' })
  period?: GoalPeriod | null;

  @Field(() => String, { nullable: true })
  timeZone?: string | null;

  @Field(() => Boolean, { nullable: true })
  isActive?: boolean | null;
}
