import { deflateSync, crc32 } from 'node:zlib';
import { gql } from './client';
import type { TestServer } from './server';

export const WORKFLOW_FIELDS = 'id name description startingUrl tags status createdAt updatedAt';
export const STEP_FIELDS = 'id stepNumber action selectors label instruction labelEdited instructionEdited';

/** A recorded step's input; `n` makes its selectors distinct. */
export function stepInput(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action: 'CLICK',
    selectors: { css: `#button-${n}`, xpath: `//button[${n}]` },
    elementMeta: { tag: 'button', text: `Button ${n}` },
    pageContext: { url: 'https://app.example.com/form', title: 'Form' },
    ...extra,
  };
}

/** Creates a workflow (with `steps` recorded steps) and returns it with its steps. */
export async function buildWorkflow(
  server: TestServer,
  token: string,
  input: Record<string, unknown> = {},
  steps = 0,
): Promise<Record<string, any>> {
  const res = await gql(
    server.url,
    `mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { ${WORKFLOW_FIELDS} steps { ${STEP_FIELDS} } } }`,
    {
      input: {
        name: 'Submit expenses',
        startingUrl: 'https://app.example.com',
        steps: Array.from({ length: steps }, (_, i) => stepInput(i + 1)),
        ...input,
      },
    },
    token,
  );
  if (!res.data?.createWorkflow) throw new Error(`createWorkflow failed: ${JSON.stringify(res.errors)}`);
  return res.data.createWorkflow;
}

/** Sets a workflow's status, failing the test on an error. */
export async function setStatus(server: TestServer, token: string, id: string, status: string): Promise<void> {
  const res = await gql(
    server.url,
    'mutation($id: ID!, $status: WorkflowStatus!) { setWorkflowStatus(id: $id, status: $status) { status } }',
    { id, status },
    token,
  );
  if (res.data?.setWorkflowStatus?.status !== status) throw new Error(`setWorkflowStatus: ${JSON.stringify(res)}`);
}

/** A workflow taken through DRAFT → PROCESSING → ACTIVE. */
export async function buildActiveWorkflow(
  server: TestServer,
  token: string,
  input: Record<string, unknown> = {},
  steps = 3,
): Promise<Record<string, any>> {
  const workflow = await buildWorkflow(server, token, input, steps);
  await setStatus(server, token, workflow.id, 'PROCESSING');
  await setStatus(server, token, workflow.id, 'ACTIVE');
  return { ...workflow, status: 'ACTIVE' };
}

export const RECORD_RUN =
  'mutation($input: RecordWorkflowRunInput!) { recordWorkflowRun(input: $input) { id status workflow { status health { runs consecutiveFailures successRate } } } }';

export function recordRun(server: TestServer, token: string, input: Record<string, unknown>) {
  return gql(server.url, RECORD_RUN, { input }, token);
}

/** A valid PNG of `width` × `height` whose pixels depend on `seed` (so different seeds differ). */
export function png(seed: number, width = 4, height = 3): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let i = 0; i < rows.length; i++) rows[i] = i % (1 + width * 3) === 0 ? 0 : (seed * 31 + i) % 256;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface UploadResponse {
  status: number;
  body: Record<string, any>;
}

/** `POST /screenshots` as a client would send it (multipart form). */
export async function uploadScreenshot(
  server: TestServer,
  token: string | undefined,
  fields: Record<string, string>,
  bytes: Buffer | null,
  filename = 'shot.png',
): Promise<UploadResponse> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (bytes) form.append('file', new Blob([new Uint8Array(bytes)]), filename);
  const response = await fetch(server.url.replace(/\/graphql$/, '/screenshots'), {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** SQL counts straight from the database, to see what a test's operations left behind. */
export async function countRows(server: TestServer, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await server.app.orm.em.fork().getConnection().execute<Array<{ n: number }>>(sql, params);
  return rows[0]?.n ?? 0;
}
