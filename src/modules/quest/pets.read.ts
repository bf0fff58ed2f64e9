import type { ScopedQuery } from '../../common/reader';
import type { Pet } from './pet.entity';
import { levelForXp, stateAt, xpForLevel, type PetStateJson } from './pet-state';
import type { PetRow, PetStateNode } from './pet.types';

/** The columns of a `Pet` node and its stored state. */
export const selectPet = (q: ScopedQuery<'pets'>) =>
  q.select([
    'pets.id',
    'pets.name',
    'pets.species',
    'pets.state_json as stateJson',
    'pets.created_at as createdAt',
    'pets.updated_at as updatedAt',
  ]);

export function toPetRow(pet: Pet): PetRow {
  return {
    id: pet.id,
    name: pet.name,
    species: pet.species,
    stateJson: pet.state,
    createdAt: pet.createdAt,
    updatedAt: pet.updatedAt,
  };
}

/** The GraphQL state of a stored snapshot at `now`. */
export function petStateView(stored: PetStateJson, now: Date): PetStateNode {
  const state = stateAt(stored, now);
  const level = levelForXp(state.xp);
  return {
    energy: Math.round(state.energy),
    hunger: Math.round(state.hunger),
    level,
    xp: state.xp,
    levelXp: xpForLevel(level),
    nextLevelXp: xpForLevel(level + 1),
    mood: state.traits.mood,
    lastEventId: state.last_event_id,
    lastUpdate: new Date(stored.last_update),
  };
}
