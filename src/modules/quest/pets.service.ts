import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { App } from '../../app';
import { paginate, type Connection } from '../../common/pagination';
import { Topic, type PetUpdatedPayload } from '../../common/pubsub';
import type { Reader } from '../../common/reader';
import type { Viewer } from '../../context';
import { ActivityService } from '../activity/activity.service';
import { feed, gainXp, newPetState, rest, type PetStateJson } from './pet-state';
import { Pet } from './pet.entity';
import type { PetRow } from './pet.types';
import { selectPet, toPetRow } from './pets.read';
import { InvalidQuestInputError, PetNotFoundError } from './quest.errors';
import type { CreatePetInput } from './quest.inputs';

export const MAX_PETS = 20;
const DEFAULT_COLOR = 'green';

/** The owner of quest data: a user within a workspace. */
export interface QuestOwner {
  workspaceId: string;
  userId: string;
}

export const ownerOf = (viewer: Viewer): QuestOwner => ({ workspaceId: viewer.workspaceId, userId: viewer.id });

/** A user's pets: their rules, care and XP. */
export class PetsService {
  constructor(
    private readonly app: App,
    private readonly em: EntityManager,
  ) {}

  get(reader: Reader, viewer: Viewer, id: string): Promise<PetRow | undefined> {
    return selectPet(reader.from('pets'))
      .where('pets.user_id', '=', viewer.id)
      .where('pets.id', '=', id)
      .executeTakeFirst() as Promise<PetRow | undefined>;
  }

  async getOrFail(reader: Reader, viewer: Viewer, id: string): Promise<PetRow> {
    const pet = await this.get(reader, viewer, id);
    if (!pet) throw new PetNotFoundError(id);
    return pet;
  }

  list(reader: Reader, viewer: Viewer, page: { first: number; after?: string | null }): Promise<Connection<PetRow>> {
    return paginate({
      query: selectPet(reader.from('pets')).where('pets.user_id', '=', viewer.id),
      idColumn: 'pets.id',
      sort: { column: 'pets.created_at', field: 'createdAt', direction: 'asc' },
      first: page.first,
      after: page.after ?? null,
    }) as Promise<Connection<PetRow>>;
  }

  async create(viewer: Viewer, input: CreatePetInput): Promise<PetRow> {
    const name = text(input.name, 'name', 100);
    const species = text(input.species, 'species', 50);
    const color = input.traits?.color == null ? DEFAULT_COLOR : text(input.traits.color, 'traits.color', 30);
    const count = await this.em.count(Pet, { user: viewer.id });
    if (count >= MAX_PETS) throw new InvalidQuestInputError(`you can keep at most ${MAX_PETS} pets`);
    const pet = this.em.create(Pet, {
      workspace: viewer.workspaceId,
      user: viewer.id,
      name,
      species,
      state: newPetState(color, this.app.clock()),
    });
    await this.em.flush();
    publishPets(this.app, ownerOf(viewer), [pet.id]);
    return toPetRow(pet);
  }

  rename(viewer: Viewer, id: string, name: string): Promise<PetRow> {
    const valid = text(name, 'name', 100);
    return this.change(viewer, id, (pet) => {
      pet.name = valid;
    });
  }

  feed(viewer: Viewer, id: string): Promise<PetRow> {
    return this.change(viewer, id, (pet) => {
      pet.state = feed(pet.state, this.app.clock());
    });
  }

  rest(viewer: Viewer, id: string): Promise<PetRow> {
    return this.change(viewer, id, (pet) => {
      pet.state = rest(pet.state, this.app.clock());
    });
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const pet = await this.em.findOne(Pet, { id, user: viewer.id });
    if (!pet) throw new PetNotFoundError(id);
    await this.em.remove(pet).flush();
    return true;
  }

  /** Changes one of the viewer's pets under a row lock, so XP arriving meanwhile is not lost. */
  private async change(viewer: Viewer, id: string, apply: (pet: Pet) => void): Promise<PetRow> {
    const pet = await this.em.transactional(async (tx) => {
      const found = await tx.findOne(Pet, { id, user: viewer.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!found) throw new PetNotFoundError(id);
      apply(found);
      return found;
    });
    publishPets(this.app, ownerOf(viewer), [pet.id]);
    return toPetRow(pet);
  }
}

export interface XpAward {
  xp: number;
  /** The event the XP came from (the newest, for several). */
  lastEventId: string | null;
  /** For the activity feed, e.g. `3 commits`. */
  reason: string;
}

/**
 * Gives XP to every pet of the owner, within the caller's transaction (rows locked in id order);
 * a level reached writes an activity event. Returns the ids of the pets changed.
 */
export async function awardXp(tx: EntityManager, owner: QuestOwner, award: XpAward, now: Date): Promise<string[]> {
  if (award.xp <= 0) return [];
  const pets = await tx.find(
    Pet,
    { user: owner.userId, workspace: owner.workspaceId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
  );
  const activity = new ActivityService(tx);
  for (const pet of pets) {
    const gained = gainXp(pet.state, award.xp, award.lastEventId, now);
    pet.state = gained.state;
    if (gained.state.level > gained.previousLevel)
      levelUp(activity, owner, pet, gained.state, gained.previousLevel, award, now);
  }
  await tx.flush();
  return pets.map((p) => p.id);
}

function levelUp(
  activity: ActivityService,
  owner: QuestOwner,
  pet: Pet,
  state: PetStateJson,
  previousLevel: number,
  award: XpAward,
  now: Date,
): void {
  activity.build({
    workspaceId: owner.workspaceId,
    userId: owner.userId,
    type: 'quest.pet_leveled_up',
    message: `${pet.name} reached level ${state.level}`,
    payload: { petId: pet.id, level: state.level, previousLevel, xp: state.xp, reason: award.reason },
    createdAt: now,
  });
}

/** Tells `petUpdated` subscribers (on every instance); call after the change is committed. */
export function publishPets(app: App, owner: QuestOwner, petIds: Iterable<string>): void {
  for (const petId of new Set(petIds)) {
    const payload: PetUpdatedPayload = { ...owner, petId };
    app.pubSub.publish(Topic.PetUpdated, payload);
  }
}

function text(value: string, field: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > max) {
    throw new InvalidQuestInputError(`${field} must be 1 to ${max} characters`);
  }
  return trimmed;
}
