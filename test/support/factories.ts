import { gql } from './client';
import type { TestServer } from './server';

let counter = 0;

/** An email no other test uses. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${Date.now().toString(36)}.${counter}@example.test`;
}

export const USER_FIELDS = 'id email displayName role createdAt';

export interface SignedIn {
  token: string;
  refreshToken: string;
  email: string;
  password: string;
  user: { id: string; email: string; displayName: string; role: string };
}

const AUTH_PAYLOAD = `accessToken refreshToken user { ${USER_FIELDS} }`;

async function signUp(server: TestServer, input: Record<string, unknown>): Promise<SignedIn> {
  const res = await gql<{ signUp: { accessToken: string; refreshToken: string; user: SignedIn['user'] } }>(
    server.url,
    `mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH_PAYLOAD} } }`,
    { input },
  );
  if (!res.data?.signUp) throw new Error(`signUp failed: ${JSON.stringify(res.errors)}`);
  return {
    token: res.data.signUp.accessToken,
    refreshToken: res.data.signUp.refreshToken,
    email: String(input.email),
    password: String(input.password),
    user: res.data.signUp.user,
  };
}

export interface Workspace {
  admin: SignedIn;
  inviteToken: string;
  name: string;
}

/** A new workspace and its first admin. */
export async function buildWorkspace(server: TestServer, overrides: Record<string, unknown> = {}): Promise<Workspace> {
  const name = `Home ${counter + 1}`;
  const admin = await signUp(server, {
    email: uniqueEmail('admin'),
    password: 'correct horse battery',
    displayName: 'Ada Admin',
    workspaceName: name,
    ...overrides,
  });
  const res = await gql<{ workspace: { inviteToken: string } }>(
    server.url,
    '{ workspace { inviteToken } }',
    {},
    admin.token,
  );
  if (!res.data?.workspace.inviteToken) throw new Error(`no invite token: ${JSON.stringify(res.errors)}`);
  return { admin, inviteToken: res.data.workspace.inviteToken, name };
}

/** A member who joined `workspace` with its invite token. */
export function buildMember(
  server: TestServer,
  workspace: Workspace,
  overrides: Record<string, unknown> = {},
): Promise<SignedIn> {
  return signUp(server, {
    email: uniqueEmail('member'),
    password: 'correct horse battery',
    displayName: 'Max Member',
    inviteToken: workspace.inviteToken,
    ...overrides,
  });
}

/** The id of a signed-in user's workspace (to scope a test's ticks to its own data). */
export async function workspaceIdOf(server: TestServer, user: SignedIn): Promise<string> {
  const res = await gql<{ workspace: { id: string } }>(server.url, '{ workspace { id } }', {}, user.token);
  const id = res.data?.workspace.id;
  if (!id) throw new Error(`no workspace id: ${JSON.stringify(res.errors)}`);
  return id;
}
