const MAX_EXCERPT_CHARS = 300;

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatAnswer {
  content: string;
  model: string | null;
  finishReason: string | null;
  usage: { promptTokens: number; completionTokens: number } | null;
}

/** What went wrong talking to the AI server, safe to store and show (never the API key). */
export class ChatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChatError';
  }
}

/**
 * An OpenAI-compatible chat-completions client (`POST <base>/chat/completions`): OpenAI itself,
 * or a local model server (Ollama, llama.cpp, vLLM, LM Studio…) at its `/v1` address.
 */
export class ChatClient {
  private readonly endpoint: string;
  private readonly origin: string;

  constructor(
    baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {
    this.endpoint = `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.origin = new URL(baseUrl).origin;
  }

  async complete(model: string, messages: ChatMessage[], signal: AbortSignal): Promise<ChatAnswer> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model, messages }),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ChatError(this.redact(`the AI server ${this.origin} is unreachable: ${reason(error)}`));
    }
    const text = await response.text();
    if (!response.ok) {
      throw new ChatError(this.redact(`the AI server answered HTTP ${response.status}${excerpt(text)}`));
    }
    return this.answer(text);
  }

  private answer(text: string): ChatAnswer {
    let body: ChatCompletion;
    try {
      body = JSON.parse(text) as ChatCompletion;
    } catch {
      throw new ChatError(`the AI server's answer is not JSON`);
    }
    const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
    const content = choice?.message?.content;
    if (typeof content !== 'string') throw new ChatError(`the AI server's answer has no message text`);
    const usage = body.usage;
    return {
      content,
      model: typeof body.model === 'string' ? body.model : null,
      finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
      usage:
        usage && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number'
          ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens }
          : null,
    };
  }

  private redact(text: string): string {
    return this.apiKey ? text.split(this.apiKey).join('[redacted]') : text;
  }
}

/** The parts of an OpenAI `chat.completion` object read here. */
interface ChatCompletion {
  model?: unknown;
  choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
}

function reason(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown } };
  const cause = typeof e.cause?.message === 'string' ? ` (${e.cause.message})` : '';
  return `${typeof e.message === 'string' ? e.message : String(error)}${cause}`;
}

/** OpenAI's errors are `{"error": {"message": …}}`; others, the start of the body. */
function excerpt(text: string): string {
  let detail = text;
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string };
    if (typeof body.error === 'string') detail = body.error;
    else if (typeof body.error?.message === 'string') detail = body.error.message;
  } catch {
    // not JSON
  }
  detail = detail.replace(/\s+/g, ' ').trim();
  if (!detail) return '';
  return `: ${detail.length > MAX_EXCERPT_CHARS ? `${detail.slice(0, MAX_EXCERPT_CHARS)}…` : detail}`;
}
