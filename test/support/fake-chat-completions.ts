import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake received it. */
export interface ChatRequest {
  authorization: string | undefined;
  model: string;
  messages: Array<{ role: string; content: string }>;
}

/** What the fake does with the next request: answer (after a delay), or fail with an HTTP status. */
export type ChatBehaviour = { answer?: string; delayMs?: number } | { status: number; message: string };

/**
 * A stand-in for an OpenAI-compatible chat-completions API (`POST /v1/chat/completions`): checks
 * the bearer key, answers in OpenAI's `chat.completion` format (or its error format), and keeps
 * every request so tests can see what was asked and with which context.
 */
export class FakeChatCompletions {
  readonly requests: ChatRequest[] = [];
  readonly #queue: ChatBehaviour[] = [];
  #server: http.Server | undefined;
  #base = '';

  constructor(private readonly apiKey: string) {}

  /** `http://127.0.0.1:<port>/v1`: what `AI_BASE_URL` is set to. */
  get baseUrl(): string {
    return this.#base;
  }

  /** Behaviours for the next requests, in order; afterwards it answers normally. */
  next(...behaviours: ChatBehaviour[]): void {
    this.#queue.push(...behaviours);
  }

  async start(): Promise<this> {
    this.#server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => void this.handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
    return this;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return error(res, 404, `Unknown request URL: ${req.method} ${req.url}`, 'invalid_request_error');
    }
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return error(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    let request: { model?: unknown; messages?: unknown };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      return error(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
    }
    if (typeof request.model !== 'string' || !Array.isArray(request.messages)) {
      return error(res, 400, "'model' and 'messages' are required properties", 'invalid_request_error');
    }
    const messages = request.messages as ChatRequest['messages'];
    this.requests.push({ authorization: req.headers.authorization, model: request.model, messages });
    const behaviour = this.#queue.shift() ?? {};
    if ('status' in behaviour) return error(res, behaviour.status, behaviour.message, 'server_error');
    if (behaviour.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
      if (res.destroyed || req.socket.destroyed) return;
    }
    const question = messages.at(-1)?.content ?? '';
    const content = behaviour.answer ?? `Done: ${question}`;
    const json = {
      id: `chatcmpl-${randomBytes(12).toString('hex')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: Math.ceil(JSON.stringify(messages).length / 4),
        completion_tokens: Math.ceil(content.length / 4),
        total_tokens: Math.ceil(JSON.stringify(messages).length / 4) + Math.ceil(content.length / 4),
      },
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(json));
  }
}

function error(res: http.ServerResponse, status: number, message: string, type: string, code: string | null = null) {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: { message, type, param: null, code } }));
}
