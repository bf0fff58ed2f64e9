import type { Rel } from '@mikro-orm/core';
import { Check, Entity, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import type { PetStateJson } from './pet-state';

/** A user's habit pet. Its state is a snapshot (`pet-state.ts`); reads compute it at the current time. */
@Entity({ tableName: 'pets' })
@Index({ properties: ['user', 'createdAt'] })
@Check({
  name: 'pets_state_bounds_check',
  expression:
    "(state_json->>'energy')::numeric >= 0 and (state_json->>'energy')::numeric <= 100 " +
    "and (state_json->>'hunger')::numeric >= 0 and (state_json->>'hunger')::numeric <= 100 " +
    "and (state_json->>'level')::numeric >= 1 and (state_json->>'xp')::numeric >= 0",
})
export class Pet extends BaseEntity {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @Property({ length: 100 })
  name!: string;

  @Property({ length: 50 })
  species!: string;

  @Property({ type: 'jsonb', fieldName: 'state_json' })
  state!: PetStateJson;
}
