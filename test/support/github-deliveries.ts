import { createHmac, randomBytes, randomUUID } from 'node:crypto';

/** The headers GitHub sends with a webhook delivery, signed like GitHub signs them. */
export function deliveryHeaders(event: string, body: string, secret: string, delivery: string = randomUUID()) {
  return {
    accept: '*/*',
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/044aadd',
    'x-github-delivery': delivery,
    'x-github-event': event,
    'x-github-hook-id': '292430182',
    'x-github-hook-installation-target-id': '79929171',
    'x-github-hook-installation-target-type': 'repository',
    'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  };
}

export interface DeliveryOptions {
  delivery?: string;
  /** Overrides of the headers (e.g. a wrong signature). */
  headers?: Record<string, string>;
  /** The body as sent, when not the JSON of the payload. */
  body?: string;
}

/** POSTs a delivery as GitHub does; returns the status and the JSON answer. */
export async function deliver(
  webhookUrl: string,
  event: string,
  payload: unknown,
  secret: string,
  options: DeliveryOptions = {},
): Promise<{ status: number; body: Record<string, any>; delivery: string }> {
  const body = options.body ?? JSON.stringify(payload);
  const delivery: string = options.delivery ?? randomUUID();
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { ...deliveryHeaders(event, body, secret, delivery), ...options.headers },
    body,
  });
  const text = await response.text();
  let json: Record<string, any>;
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: response.status, body: json, delivery };
}

const repository = (fullName: string) => {
  const [owner, name] = fullName.split('/');
  return {
    id: 186853002,
    node_id: 'MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=',
    name,
    full_name: fullName,
    private: false,
    owner: { login: owner, id: 21031067, type: 'User', site_admin: false },
    html_url: `https://github.com/${fullName}`,
    description: null,
    fork: false,
    url: `https://api.github.com/repos/${fullName}`,
    default_branch: 'main',
  };
};

const user = (login: string, id = 21031067) => ({
  login,
  id,
  node_id: 'MDQ6VXNlcjIxMDMxMDY3',
  avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
  type: 'User',
  site_admin: false,
});

export interface CommitSpec {
  message: string;
  /** GitHub username of the author; null for an author GitHub cannot match to an account. */
  username: string | null;
  timestamp: string;
  sha?: string;
  distinct?: boolean;
}

export const sha = () => randomBytes(20).toString('hex');

/** A `push` payload as GitHub sends it. */
export function pushPayload(repo: string, pusher: string, commits: CommitSpec[], ref = 'refs/heads/main') {
  const full = commits.map((c) => {
    const id = c.sha ?? sha();
    const author = {
      name: c.username ?? 'Someone Else',
      email: `${c.username ?? 'someone'}@example.com`,
      ...(c.username ? { username: c.username } : {}),
    };
    return {
      id,
      tree_id: sha(),
      distinct: c.distinct ?? true,
      message: c.message,
      timestamp: c.timestamp,
      url: `https://github.com/${repo}/commit/${id}`,
      author,
      committer: { name: 'GitHub', email: 'noreply@github.com', username: 'web-flow' },
      added: [],
      removed: [],
      modified: ['README.md'],
    };
  });
  return {
    ref,
    before: sha(),
    after: full.at(-1)?.id ?? '0000000000000000000000000000000000000000',
    repository: repository(repo),
    pusher: { name: pusher, email: `${pusher}@example.com` },
    sender: user(pusher),
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/${repo}/compare/a...b`,
    commits: full,
    head_commit: full.at(-1) ?? null,
  };
}

/** A `pull_request` payload: `closed` (merged or not) or another action. */
export function pullRequestPayload(
  repo: string,
  author: string,
  options: { action?: string; merged?: boolean; mergedAt?: string; id?: number; number?: number; title?: string } = {},
) {
  const action = options.action ?? 'closed';
  const merged = options.merged ?? true;
  const number = options.number ?? 42;
  return {
    action,
    number,
    pull_request: {
      url: `https://api.github.com/repos/${repo}/pulls/${number}`,
      id: options.id ?? 1_934_000_000 + number,
      node_id: 'PR_kwDOCyMGus5bn2hE',
      html_url: `https://github.com/${repo}/pull/${number}`,
      number,
      state: action === 'closed' ? 'closed' : 'open',
      locked: false,
      title: options.title ?? 'Feed the pet on time',
      user: user(author),
      body: null,
      created_at: '2026-11-16T09:00:00Z',
      updated_at: options.mergedAt ?? '2026-11-17T10:00:00Z',
      closed_at: action === 'closed' ? (options.mergedAt ?? '2026-11-17T10:00:00Z') : null,
      merged_at: merged && action === 'closed' ? (options.mergedAt ?? '2026-11-17T10:00:00Z') : null,
      merge_commit_sha: merged ? sha() : null,
      draft: false,
      merged: merged && action === 'closed',
      merged_by: merged ? user('maintainer', 1) : null,
      commits: 3,
      additions: 10,
      deletions: 2,
      changed_files: 1,
    },
    repository: repository(repo),
    sender: user(merged ? 'maintainer' : author, 1),
  };
}

/** An `issues` payload (`closed` by `closer`, or another action). */
export function issuesPayload(
  repo: string,
  closer: string,
  options: { action?: string; id?: number; number?: number; closedAt?: string; stateReason?: string } = {},
) {
  const action = options.action ?? 'closed';
  const number = options.number ?? 7;
  return {
    action,
    issue: {
      url: `https://api.github.com/repos/${repo}/issues/${number}`,
      id: options.id ?? 2_600_000_000 + number,
      node_id: 'I_kwDOCyMGus6XYZ',
      number,
      title: 'The pet looks hungry',
      user: user('reporter', 2),
      labels: [],
      state: action === 'closed' ? 'closed' : 'open',
      assignees: [],
      comments: 1,
      created_at: '2026-11-15T08:00:00Z',
      updated_at: options.closedAt ?? '2026-11-17T11:00:00Z',
      closed_at: action === 'closed' ? (options.closedAt ?? '2026-11-17T11:00:00Z') : null,
      state_reason: action === 'closed' ? (options.stateReason ?? 'completed') : null,
      html_url: `https://github.com/${repo}/issues/${number}`,
    },
    repository: repository(repo),
    sender: user(closer),
  };
}

/** The `ping` GitHub sends when a webhook is created. */
export function pingPayload(repo: string) {
  return {
    zen: 'Keep it logically awesome.',
    hook_id: 292430182,
    hook: { type: 'Repository', id: 292430182, name: 'web', active: true, events: ['push', 'pull_request', 'issues'] },
    repository: repository(repo),
    sender: user('octocat'),
  };
}
