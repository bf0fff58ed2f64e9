import { streaks } from '../src/modules/quest/goal-tracker';
import { verifySignature } from '../src/modules/quest/github-webhooks';
import { GithubPayloadError, normaliseGithub } from '../src/modules/quest/github-normalise';
import {
  feed,
  gainXp,
  levelForXp,
  moodOf,
  newPetState,
  rest,
  stateAt,
  xpForLevel,
} from '../src/modules/quest/pet-state';
import { periodAt, xpFor } from '../src/modules/quest/quest-rules';
import { GoalPeriod, PetMood, QuestEventKind } from '../src/modules/quest/quest.enums';
import { issuesPayload, pullRequestPayload, pushPayload } from './support/github-deliveries';

const t0 = new Date('2026-11-16T08:00:00Z');
const hours = (h: number) => new Date(t0.getTime() + h * 3_600_000);

describe('the XP curve', () => {
  it('starts level L at 50·L·(L−1) XP', () => {
    expect([1, 2, 3, 4, 5, 10].map(xpForLevel)).toEqual([0, 100, 300, 600, 1000, 4500]);
    const thresholds: Array<[number, number]> = [
      [0, 1],
      [99, 1],
      [100, 2],
      [299, 2],
      [300, 3],
      [599, 3],
      [600, 4],
      [999, 4],
      [1000, 5],
      [4499, 9],
      [4500, 10],
      [5_000_000, 316],
    ];
    for (const [xp, level] of thresholds) expect([xp, levelForXp(xp)]).toEqual([xp, level]);
    for (let level = 1; level < 500; level++) {
      expect(levelForXp(xpForLevel(level))).toBe(level);
      expect(levelForXp(xpForLevel(level + 1) - 1)).toBe(level);
    }
  });

  it('levels up when XP crosses a threshold, several levels at once if need be', () => {
    const start = newPetState('green', t0);
    const first = gainXp(start, 99, 'e1', t0);
    expect(first).toMatchObject({ previousLevel: 1, state: { level: 1, xp: 99, last_event_id: 'e1' } });
    const second = gainXp(first.state, 1, 'e2', t0);
    expect(second).toMatchObject({ previousLevel: 1, state: { level: 2, xp: 100 } });
    expect(gainXp(second.state, 900, null, t0)).toMatchObject({
      previousLevel: 2,
      state: { level: 5, xp: 1000, last_event_id: 'e2' },
    });
  });

  it('gives XP per item for GitHub and per amount for a day', () => {
    expect(xpFor(QuestEventKind.COMMIT, 1)).toBe(10);
    expect(xpFor(QuestEventKind.PULL_REQUEST_MERGED, 1)).toBe(40);
    expect(xpFor(QuestEventKind.ISSUE_CLOSED, 1)).toBe(20);
    expect(xpFor(QuestEventKind.STEPS, 10_000)).toBe(40);
    expect(xpFor(QuestEventKind.ACTIVE_MINUTES, 45)).toBe(22);
    expect(xpFor(QuestEventKind.SLEEP, 7 * 60 + 50)).toBe(35);
  });
});

describe('pet state over time', () => {
  it('grows hungrier and more tired by the hour, within 0–100, and the same in one step or many', () => {
    const start = newPetState('green', t0);
    expect(stateAt(start, hours(6))).toMatchObject({ hunger: 24, energy: 82 });
    expect(stateAt(start, hours(30))).toMatchObject({ hunger: 100, energy: 10 });
    expect(stateAt(start, hours(24 * 7))).toMatchObject({
      hunger: 100,
      energy: 0,
      traits: { mood: PetMood.MISERABLE },
    });
    let stepped = start;
    for (let h = 1; h <= 24 * 7; h += 1) stepped = stateAt(stepped, hours(h));
    expect(stepped).toEqual(stateAt(start, hours(24 * 7)));
    // a clock that went back changes nothing
    expect(stateAt(start, hours(-5))).toMatchObject({ hunger: 0, energy: 100, last_update: t0.toISOString() });
  });

  it('is fed and rested within bounds', () => {
    const hungry = stateAt(newPetState('green', t0), hours(20));
    expect(hungry).toMatchObject({ hunger: 80, energy: 40 });
    expect(feed(hungry, hours(20))).toMatchObject({ hunger: 45, energy: 45 });
    const full = feed(feed(feed(hungry, hours(20)), hours(20)), hours(20));
    expect(full.hunger).toBe(0);
    const rested = rest(rest(full, hours(20)), hours(20));
    expect(rested.energy).toBe(100);
    expect(rested.hunger).toBe(20);
  });

  it('has a mood that follows hunger and energy', () => {
    const cases: Array<[number, number, PetMood]> = [
      [100, 0, PetMood.HAPPY],
      [60, 30, PetMood.HAPPY],
      [59, 30, PetMood.CONTENT],
      [80, 69, PetMood.CONTENT],
      [80, 70, PetMood.HUNGRY],
      [25, 10, PetMood.TIRED],
      [20, 80, PetMood.MISERABLE],
      [21, 80, PetMood.HUNGRY],
    ];
    for (const [energy, hunger, mood] of cases)
      expect([energy, hunger, moodOf({ energy, hunger })]).toEqual([energy, hunger, mood]);
  });
});

describe('goal periods and streaks', () => {
  it('are days and ISO weeks in the goal time zone, across a DST change', () => {
    const at = new Date('2026-10-25T12:00:00Z'); // a Sunday; Berlin leaves summer time that night
    expect(periodAt(GoalPeriod.DAILY, 'Europe/Berlin', at)).toEqual({
      start: new Date('2026-10-24T22:00:00Z'),
      end: new Date('2026-10-25T23:00:00Z'),
    });
    expect(periodAt(GoalPeriod.WEEKLY, 'Europe/Berlin', at)).toEqual({
      start: new Date('2026-10-18T22:00:00Z'),
      end: new Date('2026-10-25T23:00:00Z'),
    });
    expect(periodAt(GoalPeriod.DAILY, 'America/Los_Angeles', new Date('2026-11-20T05:00:00Z')).start).toEqual(
      new Date('2026-11-19T08:00:00Z'),
    );
  });

  it('count the run ending at the newest period met, and the longest', () => {
    const day = (d: string) => periodAt(GoalPeriod.DAILY, 'UTC', new Date(`${d}T12:00:00Z`)).start;
    const starts = [
      '2026-11-20',
      '2026-11-19',
      '2026-11-18',
      '2026-11-16',
      '2026-11-15',
      '2026-11-14',
      '2026-11-13',
    ].map(day);
    expect(streaks(GoalPeriod.DAILY, 'UTC', starts)).toEqual({ latest: 3, best: 4 });
    expect(streaks(GoalPeriod.DAILY, 'UTC', [])).toEqual({ latest: 0, best: 0 });
  });
});

describe('GitHub deliveries', () => {
  it('are verified with HMAC-SHA256 as GitHub documents it', () => {
    // The example in GitHub's "Validating webhook deliveries".
    const secret = "It's a Secret to Everybody";
    const body = Buffer.from('Hello, World!');
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(verifySignature(secret, body, signature)).toBe(true);
    expect(verifySignature(secret, body, signature.toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
    expect(verifySignature(secret, Buffer.from('Hello, World?'), signature)).toBe(false);
    expect(verifySignature('another secret', body, signature)).toBe(false);
    expect(verifySignature(secret, body, signature.slice(0, -2))).toBe(false);
    expect(verifySignature(secret, body, `sha1=${'0'.repeat(40)}`)).toBe(false);
    expect(verifySignature(secret, body, undefined)).toBe(false);
    expect(verifySignature(secret, body, ['a', 'b'])).toBe(false);
  });

  it('are normalised: one event per own distinct commit, merged pull requests, issues closed as completed', () => {
    const push = pushPayload('octo/pet', 'octocat', [
      { message: 'Feed\n\nwith details', username: 'octocat', timestamp: '2026-11-17T10:00:00+01:00' },
      { message: 'Rest', username: 'OctoCat', timestamp: '2026-11-17T11:00:00+01:00' },
      { message: 'By a friend', username: 'hubot', timestamp: '2026-11-17T12:00:00+01:00' },
      { message: 'Unknown author pushed by me', username: null, timestamp: '2026-11-17T12:30:00+01:00' },
      {
        message: 'Already on another branch',
        username: 'octocat',
        timestamp: '2026-11-17T13:00:00+01:00',
        distinct: false,
      },
    ]);
    const commits = normaliseGithub('push', push, 'octocat');
    expect(commits.used).toBe(true);
    expect(commits.events.map((e) => [e.kind, e.title, e.occurredAt.toISOString()])).toEqual([
      [QuestEventKind.COMMIT, 'Feed', '2026-11-17T09:00:00.000Z'],
      [QuestEventKind.COMMIT, 'Rest', '2026-11-17T10:00:00.000Z'],
      [QuestEventKind.COMMIT, 'Unknown author pushed by me', '2026-11-17T11:30:00.000Z'],
    ]);
    expect(commits.note).toBe('2 commit(s) not counted');
    expect(normaliseGithub('push', push, null).events).toHaveLength(4);

    expect(normaliseGithub('pull_request', pullRequestPayload('octo/pet', 'octocat'), 'octocat').events).toMatchObject([
      { kind: QuestEventKind.PULL_REQUEST_MERGED, externalId: '1934000042', repository: 'octo/pet' },
    ]);
    expect(
      normaliseGithub('pull_request', pullRequestPayload('octo/pet', 'octocat', { merged: false }), 'octocat'),
    ).toMatchObject({
      used: false,
    });
    expect(
      normaliseGithub('pull_request', pullRequestPayload('octo/pet', 'octocat', { action: 'opened' }), 'octocat'),
    ).toMatchObject({
      used: false,
    });
    expect(normaliseGithub('issues', issuesPayload('octo/pet', 'octocat'), 'octocat').events).toMatchObject([
      { kind: QuestEventKind.ISSUE_CLOSED, externalId: '2600000007' },
    ]);
    expect(
      normaliseGithub('issues', issuesPayload('octo/pet', 'octocat', { stateReason: 'not_planned' }), 'octocat').events,
    ).toEqual([]);
    expect(normaliseGithub('issues', issuesPayload('octo/pet', 'hubot'), 'octocat').events).toEqual([]);
    expect(normaliseGithub('star', { action: 'created' }, 'octocat')).toMatchObject({ used: false });
    expect(() => normaliseGithub('push', { ref: 'refs/heads/main', repository: { full_name: 'a/b' } }, null)).toThrow(
      GithubPayloadError,
    );
    expect(() => normaliseGithub('push', { ...push, commits: [{ id: 'nope' }] }, null)).toThrow(/commits\.0\.id/);
  });
});
