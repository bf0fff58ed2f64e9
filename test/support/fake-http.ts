import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a stand-in received it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type Handler = (request: SeenRequest) => Reply | Promise<Reply>;

/** A small HTTP server for stand-ins of outside services: one handler, every request recorded. */
export class FakeHttpServer {
  readonly requests: SeenRequest[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(handler: Handler): Promise<FakeHttpServer> {
    const holder: { fake?: FakeHttpServer } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const seen: SeenRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        holder.fake?.requests.push(seen);
        Promise.resolve(handler(seen)).then(
          (reply) => {
            const body =
              reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
            const type = typeof reply.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8';
            res.writeHead(reply.status, {
              ...(reply.body === undefined ? {} : { 'content-type': type }),
              ...reply.headers,
            });
            res.end(body);
          },
          (error: unknown) => {
            res.writeHead(500).end(String(error));
          },
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.fake = new FakeHttpServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** `Basic base64(id:secret)` → [id, secret]. */
export function basicCredentials(header: string | undefined): [string, string] | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

export function bearer(header: string | undefined): string | null {
  return /^(?:Bearer|token)\s+(\S+)$/i.exec(header ?? '')?.[1] ?? null;
}
