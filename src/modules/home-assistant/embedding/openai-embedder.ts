import { EMBEDDING_DIMENSIONS, EmbeddingError, eventText, type EmbeddableEvent, type Embedder } from './embedder';

/** OpenAI's limit is 2048 inputs per request; smaller batches keep each request well under its token cap. */
const MAX_BATCH = 256;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_EXCERPT_CHARS = 200;
const MAX_EXCERPT_BYTES = 4096;

export interface OpenAiEmbedderOptions {
  /** API base URL, e.g. `https://api.openai.com/v1`; requests go to `<url>/embeddings`. */
  url: string;
  model: string;
  /** Sent as a bearer token when set; local OpenAI-compatible servers often need none. */
  apiKey?: string;
  /** Per request; defaults to 30 s. */
  timeoutMs?: number;
  /** Replaces the global fetch (tests, proxies). */
  fetchImpl?: typeof fetch;
}

/**
 * Embeds events with an OpenAI-compatible `/embeddings` endpoint, from the text of `eventText`.
 * Requests ask for 1536 dimensions and every answer is checked before it can reach the
 * `vector(1536)` column, so a misconfigured model fails loudly here rather than in SQL.
 */
export class OpenAiEmbedder implements Embedder {
  readonly name: string;
  private readonly endpoint: string;
  /** Where errors say the request went: the origin only, never credentials in the URL. */
  private readonly origin: string;
  private readonly model: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: OpenAiEmbedderOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new EmbeddingError('the embeddings url is not a valid URL');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new EmbeddingError('the embeddings url must be http or https');
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new EmbeddingError('timeoutMs must be positive');
    this.endpoint = `${options.url.replace(/\/+$/, '')}/embeddings`;
    this.origin = base.origin;
    this.model = options.model;
    this.apiKey = options.apiKey || undefined;
    this.timeoutMs = timeoutMs;
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.name = `openai:${options.model}`;
  }

  async embed(events: EmbeddableEvent[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < events.length; start += MAX_BATCH) {
      const texts = events.slice(start, start + MAX_BATCH).map(eventText);
      vectors.push(...(await this.request(texts)));
    }
    return vectors;
  }

  private async request(input: string[]): Promise<number[][]> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let response: Response;
    try {
      response = await this.fetchImpl(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: this.model, input, dimensions: EMBEDDING_DIMENSIONS }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason =
        errorName(error) === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : `failed (${errorText(error)})`;
      throw new EmbeddingError(this.redact(`embedding request to ${this.origin} ${reason}`), undefined, {
        cause: error,
      });
    }
    if (!response.ok) {
      const excerpt = shorten(this.redact(await readStart(response)));
      throw new EmbeddingError(
        `embedding service ${this.origin} answered HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
        response.status,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      // The timeout also covers reading the body.
      const problem = errorName(error) === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : 'is not JSON';
      throw new EmbeddingError(`embedding answer from ${this.origin} ${problem}`, response.status, { cause: error });
    }
    return this.vectors(body, input.length);
  }

  /** `data[i].embedding` in the order of `data[i].index`, each checked to fit the column. */
  private vectors(body: unknown, expected: number): number[][] {
    const data = isRecord(body) ? body.data : undefined;
    if (!Array.isArray(data)) throw this.invalid('has no data array');
    if (data.length !== expected) throw this.invalid(`has ${data.length} embeddings for ${expected} inputs`);
    const vectors = new Array<number[] | undefined>(expected).fill(undefined);
    for (const item of data) {
      const index = isRecord(item) ? item.index : undefined;
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= expected) {
        throw this.invalid('has an embedding without a valid index');
      }
      if (vectors[index]) throw this.invalid(`has two embeddings for input ${index}`);
      vectors[index] = this.vector(isRecord(item) ? item.embedding : undefined, index);
    }
    return vectors.map((vector, index) => vector ?? this.missing(index));
  }

  private vector(embedding: unknown, index: number): number[] {
    if (!Array.isArray(embedding)) throw this.invalid(`has no embedding array for input ${index}`);
    if (embedding.length !== EMBEDDING_DIMENSIONS) {
      throw this.invalid(
        `has ${embedding.length} dimensions for input ${index}, expected ${EMBEDDING_DIMENSIONS} (does model ${this.model} support the dimensions parameter?)`,
      );
    }
    const vector = new Array<number>(EMBEDDING_DIMENSIONS);
    for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) {
      const value: unknown = embedding[i];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw this.invalid(`has a non-numeric component ${i} for input ${index}`);
      }
      vector[i] = value;
    }
    return vector;
  }

  private missing(index: number): never {
    throw this.invalid(`has no embedding for input ${index}`);
  }

  private invalid(problem: string): EmbeddingError {
    return new EmbeddingError(`embedding answer from ${this.origin} ${problem}`);
  }

  /** Some servers echo the request's credentials in errors; none of it may reach a log. */
  private redact(text: string): string {
    return this.apiKey ? text.split(this.apiKey).join('[redacted]') : text;
  }
}

/** By shape rather than `instanceof`: fetch's errors may come from another realm (DOMException, vm contexts). */
function errorName(error: unknown): string | undefined {
  return isRecord(error) && typeof error.name === 'string' ? error.name : undefined;
}

function errorText(error: unknown): string {
  if (!isRecord(error) || typeof error.message !== 'string') return String(error);
  // undici hides the reason (refused, DNS, TLS) in `cause`.
  const cause = isRecord(error.cause) && typeof error.cause.message === 'string' ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The start of an error body, whitespace collapsed, without reading a huge body to its end. */
async function readStart(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    while (bytes < MAX_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // The status already says what went wrong; an unreadable body only loses the detail.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.replace(/\s+/g, ' ').trim();
}

function shorten(text: string): string {
  return text.length > MAX_EXCERPT_CHARS ? `${text.slice(0, MAX_EXCERPT_CHARS)}…` : text;
}
