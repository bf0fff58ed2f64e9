import { PetMood } from './quest.enums';

/**
 * A pet's state as stored in `pets.state_json` (the seed's shape). It is a snapshot taken at
 * `last_update`: hunger and energy are not rewritten as time passes, they are computed from the
 * snapshot and the time since (`stateAt`), so no job ever touches every pet.
 */
export interface PetStateJson {
  /** 0–100; falls with time, rises with rest. */
  energy: number;
  /** 0–100; rises with time, falls with food. */
  hunger: number;
  /** ≥ 1, follows from `xp` (see `levelForXp`). */
  level: number;
  /** ≥ 0 */
  xp: number;
  /** The last quest event that gave XP. */
  last_event_id: string | null;
  /** ISO 8601: when the snapshot was taken. */
  last_update: string;
  traits: { color: string; mood: PetMood };
}

export const HUNGER_PER_HOUR = 4;
export const ENERGY_PER_HOUR = 3;
export const FEED_HUNGER = 35;
export const FEED_ENERGY = 5;
export const REST_ENERGY = 40;
export const REST_HUNGER = 10;
/** XP from the start of level L to the start of level L+1 is `XP_STEP * L`. */
export const XP_STEP = 100;

const HOUR_MS = 3_600_000;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
const round2 = (value: number) => Math.round(value * 100) / 100;

/** Total XP at which `level` starts: 0, 100, 300, 600, 1000, … (`XP_STEP` × L(L−1)/2). */
export function xpForLevel(level: number): number {
  return (XP_STEP * level * (level - 1)) / 2;
}

/** The level reached with `xp` in total: the largest L with `xpForLevel(L) ≤ xp`. */
export function levelForXp(xp: number): number {
  let level = Math.max(1, Math.floor((1 + Math.sqrt(1 + (8 * Math.max(0, xp)) / XP_STEP)) / 2));
  while (xpForLevel(level + 1) <= xp) level += 1;
  while (level > 1 && xpForLevel(level) > xp) level -= 1;
  return level;
}

/** How the pet feels in a state. */
export function moodOf(state: Pick<PetStateJson, 'energy' | 'hunger'>): PetMood {
  // As shown: whole numbers.
  const energy = Math.round(state.energy);
  const hunger = Math.round(state.hunger);
  if (hunger >= 80 && energy <= 20) return PetMood.MISERABLE;
  if (hunger >= 70) return PetMood.HUNGRY;
  if (energy <= 25) return PetMood.TIRED;
  if (hunger <= 30 && energy >= 60) return PetMood.HAPPY;
  return PetMood.CONTENT;
}

/** A new pet: rested, fed, level 1. */
export function newPetState(color: string, now: Date): PetStateJson {
  return withMood({
    energy: 100,
    hunger: 0,
    level: 1,
    xp: 0,
    last_event_id: null,
    last_update: now.toISOString(),
    traits: { color, mood: PetMood.HAPPY },
  });
}

/**
 * The state at `now`: hunger risen and energy fallen for the hours since the snapshot, within
 * their bounds. The snapshot time is moved to `now`; since both bounds absorb, advancing in
 * several steps gives the same result as advancing once.
 */
export function stateAt(state: PetStateJson, now: Date): PetStateJson {
  const last = Date.parse(state.last_update);
  const hours = Number.isNaN(last) ? 0 : Math.max(0, now.getTime() - last) / HOUR_MS;
  const advanced = {
    ...state,
    hunger: round2(clamp(state.hunger + HUNGER_PER_HOUR * hours, 0, 100)),
    energy: round2(clamp(state.energy - ENERGY_PER_HOUR * hours, 0, 100)),
    last_update: new Date(Math.max(now.getTime(), Number.isNaN(last) ? 0 : last)).toISOString(),
  };
  return withMood(advanced);
}

export function feed(state: PetStateJson, now: Date): PetStateJson {
  const current = stateAt(state, now);
  return withMood({
    ...current,
    hunger: round2(clamp(current.hunger - FEED_HUNGER, 0, 100)),
    energy: round2(clamp(current.energy + FEED_ENERGY, 0, 100)),
  });
}

export function rest(state: PetStateJson, now: Date): PetStateJson {
  const current = stateAt(state, now);
  return withMood({
    ...current,
    energy: round2(clamp(current.energy + REST_ENERGY, 0, 100)),
    hunger: round2(clamp(current.hunger + REST_HUNGER, 0, 100)),
  });
}

export interface XpGain {
  state: PetStateJson;
  previousLevel: number;
}

/** Adds XP (at `now`); the level follows the XP curve. */
export function gainXp(state: PetStateJson, xp: number, lastEventId: string | null, now: Date): XpGain {
  const current = stateAt(state, now);
  const total = current.xp + Math.max(0, Math.floor(xp));
  return {
    previousLevel: current.level,
    state: withMood({
      ...current,
      xp: total,
      level: levelForXp(total),
      last_event_id: lastEventId ?? current.last_event_id,
    }),
  };
}

function withMood(state: PetStateJson): PetStateJson {
  return { ...state, traits: { ...state.traits, mood: moodOf(state) } };
}
