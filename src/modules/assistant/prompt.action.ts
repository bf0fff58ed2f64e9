import type { AiSettings } from '../../config';
import { ChatClient, ChatError, type ChatMessage } from './chat-client';
import type { PromptConfig } from './task.config';

/** A memory as the prompt sees it. */
export interface MemoryEntry {
  key: string;
  value: string;
  category: string | null;
}

/** At most this much of the memories goes with a prompt (the rest would crowd out the task). */
const MAX_MEMORY_CHARS = 16_000;

/** The system message: who the assistant is, and what it remembers about its user. */
export function systemMessage(taskName: string, memories: MemoryEntry[]): string {
  const lines = [
    `You are the HomeOS assistant, running the scheduled task "${taskName}" for your user. Answer with the result only.`,
  ];
  if (memories.length === 0) {
    lines.push('You have no memories about your user yet.');
    return lines.join('\n');
  }
  lines.push('What you remember about your user:');
  let size = 0;
  for (const m of memories) {
    const line = `- ${m.category ? `[${m.category}] ` : ''}${m.key}: ${m.value}`;
    size += line.length + 1;
    if (size > MAX_MEMORY_CHARS) {
      lines.push('- (more memories left out)');
      break;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/** Asks the AI server; the answer's text is the run's output. */
export async function runPrompt(
  config: PromptConfig,
  options: { ai: AiSettings; taskName: string; memories: MemoryEntry[]; signal: AbortSignal },
): Promise<{ output: string }> {
  const { ai } = options;
  if (!ai.baseUrl) throw new ChatError('PROMPT tasks need an AI server: AI_BASE_URL is not set');
  const messages: ChatMessage[] = [
    { role: 'system', content: systemMessage(options.taskName, options.memories) },
    { role: 'user', content: config.prompt },
  ];
  const answer = await new ChatClient(ai.baseUrl, ai.apiKey).complete(
    config.model ?? ai.model,
    messages,
    options.signal,
  );
  return { output: answer.content };
}
