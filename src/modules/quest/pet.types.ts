import { Field, ID, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import type { PetStateJson } from './pet-state';
import { PetMood } from './quest.enums';

@ObjectType('PetState', {
  simpleResolvers: true,
  description: 'The state at the time of the request: hunger rises and energy falls as time passes',
})
export class PetStateNode {
  @Field(() => Int, { description: '0–100' })
  energy!: number;

  @Field(() => Int, { description: '0–100' })
  hunger!: number;

  @Field(() => Int, { description: '≥ 1' })
  level!: number;

  @Field(() => Int, { description: 'Total XP, ≥ 0' })
  xp!: number;

  @Field(() => Int, { description: 'Total XP at which the current level started' })
  levelXp!: number;

  @Field(() => Int, { description: 'Total XP at which the next level starts' })
  nextLevelXp!: number;

  @Field(() => PetMood)
  mood!: PetMood;

  @Field(() => ID, { nullable: true, description: 'The last quest event that gave XP' })
  lastEventId!: string | null;

  @Field({ description: 'When the stored state was last written (feeding, resting, XP)' })
  lastUpdate!: Date;
}

@ObjectType('PetTraits', { simpleResolvers: true })
export class PetTraitsNode {
  @Field()
  color!: string;
}

@ObjectType('Pet', { simpleResolvers: true, description: "A habit pet of the viewer, living on the owner's activity" })
export class PetNode {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  species!: string;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

/** A pet row as read: the GraphQL fields and the stored snapshot its state is computed from. */
export type PetRow = PetNode & { stateJson: PetStateJson };

export const PetConnection = connectionType(PetNode);
