import 'reflect-metadata';
import { createLogger } from '../src/common/logger';
import { loadConfig } from '../src/config';
import { startServer } from '../src/server';

/**
 * Loads a demo workspace through the API itself (so every rule applies) and prints how to sign in.
 * Uses the same database as `npm start` (DATA_DIR or DATABASE_URL); run it while the server is
 * stopped when using the embedded database.
 */
const DEMO = {
  workspace: 'Demo Household',
  password: 'demo password',
  admin: { email: 'admin@demo.homeos', displayName: 'Alex Admin' },
  members: [
    { email: 'sam@demo.homeos', displayName: 'Sam' },
    { email: 'robin@demo.homeos', displayName: 'Robin' },
    { email: 'kim@demo.homeos', displayName: 'Kim' },
  ],
};

async function call<T>(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as {
    data?: T;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
  return body;
}

async function main(): Promise<void> {
  const { port } = loadConfig();
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
  const server = await startServer({ config, logger: createLogger('warn') });
  try {
    const signUp = 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }';
    const admin = await call<{ signUp: { accessToken: string } }>(server.url, signUp, {
      input: { ...DEMO.admin, password: DEMO.password, workspaceName: DEMO.workspace },
    });
    if (admin.errors?.[0]?.extensions?.code === 'CONFLICT') {
      console.log(`The demo workspace is already there.`);
    } else if (admin.errors) {
      throw new Error(admin.errors.map((e) => e.message).join('; '));
    } else {
      const token = admin.data!.signUp.accessToken;
      const ws = await call<{ workspace: { inviteToken: string } }>(
        server.url,
        '{ workspace { inviteToken } }',
        {},
        token,
      );
      for (const member of DEMO.members) {
        const res = await call(server.url, signUp, {
          input: { ...member, password: DEMO.password, inviteToken: ws.data!.workspace.inviteToken },
        });
        if (res.errors) throw new Error(res.errors.map((e) => e.message).join('; '));
      }
      console.log(`Created "${DEMO.workspace}" with ${DEMO.members.length + 1} people.`);
    }
    console.log(`
Sign in from Apollo Sandbox (npm start, then open http://localhost:${port}/graphql):

  mutation { logIn(input: { email: "${DEMO.admin.email}", password: "${DEMO.password}" }) { accessToken } }

then add the header  Authorization: Bearer <accessToken>  and try  { me { displayName } workspace { members(first: 10) { edges { node { displayName role } } } } }
Members: ${DEMO.members.map((m) => m.email).join(', ')} (same password).`);
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
