import { gql } from './client';
import type { TestServer } from './server';

export const TASK_FIELDS = `id name description cron timeZone enabled priority notifyOn timeoutSeconds maxAttempts
  retryBackoffSeconds missedPolicy lastRunAt nextRunAt createdAt
  action { type prompt model command args title message url timeoutMs connectionId domain service serviceData target }`;

export const EXECUTION_FIELDS =
  'id status kind attempt scheduledFor startedAt finishedAt durationMs error nextAttemptAt output createdAt';

/** Creates a task for the signed-in user and returns it. */
export async function buildTask(
  server: TestServer,
  token: string,
  input: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const res = await gql(
    server.url,
    `mutation($input: CreateTaskInput!) { createTask(input: $input) { ${TASK_FIELDS} } }`,
    { input: { name: 'Morning brief', cron: '0 7 * * *', action: { type: 'NOTIFY' }, ...input } },
    token,
  );
  if (!res.data?.createTask) throw new Error(`createTask failed: ${JSON.stringify(res.errors)}`);
  return res.data.createTask;
}

/** A task with its newest executions. */
export async function readTask(server: TestServer, token: string, id: string, first = 10) {
  const res = await gql(
    server.url,
    `query($id: ID!, $first: Int!) { task(id: $id) { ${TASK_FIELDS}
       executions(first: $first) { totalCount edges { node { ${EXECUTION_FIELDS} } } } } }`,
    { id, first },
    token,
  );
  if (!res.data?.task) throw new Error(`task failed: ${JSON.stringify(res.errors)}`);
  return {
    ...res.data.task,
    runs: res.data.task.executions.edges.map((e: { node: Record<string, any> }) => e.node),
  };
}
