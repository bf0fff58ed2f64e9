import type { Embedder } from './embedder';
import { LocalEmbedder } from './local-embedder';
import { OpenAiEmbedder } from './openai-embedder';

export {
  EMBEDDING_DIMENSIONS,
  EmbeddingError,
  eventText,
  isVolatileAttribute,
  isVolatileValue,
  localTime,
  toVectorLiteral,
  type EmbeddableEvent,
  type Embedder,
  type LocalTime,
} from './embedder';
export { LocalEmbedder } from './local-embedder';
export { OpenAiEmbedder, type OpenAiEmbedderOptions } from './openai-embedder';

/**
 * The embedder the configuration asks for: a remote OpenAI-compatible service when a URL is set,
 * otherwise the offline local embedder, so that similarity search works with no setup at all.
 */
export function createEmbedder(settings: { url?: string; model: string; apiKey?: string }): Embedder {
  const url = settings.url?.trim();
  if (!url) return new LocalEmbedder();
  return new OpenAiEmbedder({ url, model: settings.model, ...(settings.apiKey ? { apiKey: settings.apiKey } : {}) });
}
