import { z } from 'zod';
import type { NewQuestEvent } from './quest-ingest';
import { QuestEventKind } from './quest.enums';

/** A delivery whose payload does not have the shape GitHub documents for its event. */
export class GithubPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GithubPayloadError';
  }
}

export type GithubNormalised =
  { used: true; events: NewQuestEvent[]; note: string | null } | { used: false; events: []; note: string };

const login = z.object({ login: z.string() });
const timestamp = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'not a timestamp');
const repository = z.object({ full_name: z.string() });

const pushPayload = z.object({
  ref: z.string(),
  deleted: z.boolean().optional(),
  repository,
  sender: login.optional(),
  commits: z.array(
    z.object({
      id: z.string().regex(/^[0-9a-f]{7,64}$/i, 'not a commit SHA'),
      distinct: z.boolean().optional(),
      message: z.string(),
      timestamp,
      url: z.string().optional(),
      author: z.object({ name: z.string().optional(), email: z.string().optional(), username: z.string().optional() }),
    }),
  ),
});

const pullRequestPayload = z.object({
  action: z.string(),
  repository,
  pull_request: z.object({
    id: z.union([z.number(), z.string()]),
    number: z.number(),
    title: z.string(),
    html_url: z.string().optional(),
    merged: z.boolean().nullable().optional(),
    merged_at: timestamp.nullable().optional(),
    user: login,
  }),
});

const issuesPayload = z.object({
  action: z.string(),
  repository,
  sender: login.optional(),
  issue: z.object({
    id: z.union([z.number(), z.string()]),
    number: z.number(),
    title: z.string(),
    html_url: z.string().optional(),
    closed_at: timestamp.nullable().optional(),
    state_reason: z.string().nullable().optional(),
    user: login.optional(),
    assignees: z.array(login).optional(),
  }),
});

function parse<T>(schema: z.ZodType<T>, payload: unknown, event: string): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
  throw new GithubPayloadError(`not a ${event} payload: ${problems.join('; ')}`);
}

const same = (a: string | undefined | null, b: string) => a != null && a.toLowerCase() === b.toLowerCase();

/**
 * Quest events of one GitHub delivery: every commit of a push (one event each, skipping commits
 * already pushed to another branch), a merged pull request, a closed issue. When the account is
 * known, only its own work counts: commits it authored, pull requests it opened, issues it closed
 * or was assigned. Other events are not used; a payload without the documented shape throws.
 */
export function normaliseGithub(event: string, payload: unknown, account: string | null): GithubNormalised {
  switch (event) {
    case 'push': {
      const push = parse(pushPayload, payload, event);
      if (push.deleted) return { used: false, events: [], note: 'a branch deletion' };
      const repo = push.repository.full_name;
      const mine = push.commits.filter(
        (c) =>
          c.distinct !== false &&
          (account === null ||
            same(c.author.username, account) ||
            (!c.author.username && same(push.sender?.login, account))),
      );
      const events = mine.map((c): NewQuestEvent => ({
        kind: QuestEventKind.COMMIT,
        externalId: c.id.toLowerCase(),
        value: 1,
        title: c.message.split('\n', 1)[0]!,
        url: c.url ?? null,
        repository: repo,
        occurredAt: new Date(c.timestamp),
        data: { ref: push.ref, author: c.author.username ?? c.author.name ?? null },
      }));
      const skipped = push.commits.length - mine.length;
      return { used: true, events, note: skipped > 0 ? `${skipped} commit(s) not counted` : null };
    }
    case 'pull_request': {
      const { action, pull_request: pr, repository: repo } = parse(pullRequestPayload, payload, event);
      if (action !== 'closed' || !pr.merged) return { used: false, events: [], note: `pull request ${action}` };
      if (account !== null && !same(pr.user.login, account)) {
        return { used: true, events: [], note: `pull request by ${pr.user.login}` };
      }
      if (!pr.merged_at) throw new GithubPayloadError('not a pull_request payload: merged without merged_at');
      return {
        used: true,
        note: null,
        events: [
          {
            kind: QuestEventKind.PULL_REQUEST_MERGED,
            externalId: String(pr.id),
            value: 1,
            title: pr.title,
            url: pr.html_url ?? null,
            repository: repo.full_name,
            occurredAt: new Date(pr.merged_at),
            data: { number: pr.number },
          },
        ],
      };
    }
    case 'issues': {
      const { action, issue, sender, repository: repo } = parse(issuesPayload, payload, event);
      if (action !== 'closed') return { used: false, events: [], note: `issue ${action}` };
      if (issue.state_reason != null && issue.state_reason !== 'completed') {
        return { used: true, events: [], note: `issue closed as ${issue.state_reason}` };
      }
      const closer = sender?.login;
      if (account !== null && !same(closer, account) && !(issue.assignees ?? []).some((a) => same(a.login, account))) {
        return { used: true, events: [], note: `issue closed by ${closer ?? 'someone else'}` };
      }
      if (!issue.closed_at) throw new GithubPayloadError('not an issues payload: closed without closed_at');
      return {
        used: true,
        note: null,
        events: [
          {
            kind: QuestEventKind.ISSUE_CLOSED,
            externalId: String(issue.id),
            value: 1,
            title: issue.title,
            url: issue.html_url ?? null,
            repository: repo.full_name,
            occurredAt: new Date(issue.closed_at),
            data: { number: issue.number },
          },
        ],
      };
    }
    case 'ping':
      return { used: false, events: [], note: 'ping' };
    default:
      return { used: false, events: [], note: `${event} events are not used` };
  }
}
