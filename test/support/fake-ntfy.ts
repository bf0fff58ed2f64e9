import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A published message as ntfy stores it. */
export interface NtfyReceived {
  id: string;
  topic: string;
  title?: string;
  message: string;
  priority?: number;
  tags?: string[];
  click?: string;
  authorization: string | undefined;
}

/**
 * A stand-in for an ntfy server: publishing as JSON to `/` (https://docs.ntfy.sh/publish/#publish-as-json)
 * or as a body to `/<topic>` with Title/Priority/Tags/Click headers, basic auth when configured,
 * answers and errors in ntfy's JSON, and a queue of failures to simulate an unwell server.
 */
export class FakeNtfy {
  readonly received: NtfyReceived[] = [];
  readonly #failures: number[] = [];
  #server: http.Server | undefined;
  #url = '';

  constructor(private readonly credentials?: { username: string; password: string }) {}

  get url(): string {
    return this.#url;
  }

  /** Answers the next publishes with these HTTP statuses (e.g. 500, 429). */
  failNext(...statuses: number[]): void {
    this.#failures.push(...statuses);
  }

  of(topic: string): NtfyReceived[] {
    return this.received.filter((m) => m.topic === topic);
  }

  async start(): Promise<this> {
    this.#server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    if (req.method !== 'POST' && req.method !== 'PUT') return fail(res, 40501, 405, 'method not allowed');
    if (this.credentials) {
      const expected = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return fail(res, 40101, 401, 'unauthorized');
    }
    const status = this.#failures.shift();
    if (status !== undefined) return fail(res, status * 100 + 1, status, http.STATUS_CODES[status] ?? 'error');
    let message: Omit<NtfyReceived, 'id' | 'authorization'>;
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/' || path === '') {
      try {
        message = JSON.parse(body) as typeof message;
      } catch {
        return fail(res, 40024, 400, 'invalid request: request body must be message JSON');
      }
    } else {
      const header = (name: string) => req.headers[name] as string | undefined;
      message = {
        topic: path.slice(1),
        message: body,
        ...(header('title') ? { title: header('title')! } : {}),
        ...(header('priority') ? { priority: Number(header('priority')) } : {}),
        ...(header('tags') ? { tags: header('tags')!.split(',') } : {}),
        ...(header('click') ? { click: header('click')! } : {}),
      };
    }
    if (typeof message.topic !== 'string' || !/^[-_A-Za-z0-9]{1,64}$/.test(message.topic)) {
      return fail(res, 40009, 400, 'invalid request: topic invalid');
    }
    const id = randomBytes(6).toString('hex');
    this.received.push({ ...message, id, authorization: req.headers.authorization });
    const time = Math.floor(Date.now() / 1000);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id, time, expires: time + 43_200, event: 'message', ...message }));
  }
}

function fail(res: http.ServerResponse, code: number, status: number, error: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ code, http: status, error, link: 'https://ntfy.sh/docs/publish/' }));
}
