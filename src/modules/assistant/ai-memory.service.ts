import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidv7 } from 'uuidv7';
import { paginate, type Connection } from '../../common/pagination';
import type { Reader } from '../../common/reader';
import type { Viewer } from '../../context';
import { AiMemory } from './ai-memory.entity';
import type { AiMemoryFilter, AiMemoryNode } from './ai-memory.types';
import { AiMemoryNotFoundError, InvalidAiMemoryError } from './assistant.errors';

const MAX_KEY = 200;
const MAX_VALUE = 10_000;
const MAX_CATEGORY = 100;
// Control characters (tabs and newlines included) have no place in a key or category.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The viewer's AI memories: what PROMPT tasks give the AI as context. */
export class AiMemoryService {
  constructor(private readonly em: EntityManager) {}

  /** Creates or replaces the memory under `key` (one per key and user); returns its key as stored. */
  async set(viewer: Viewer, key: string, value: string, category: string | null | undefined): Promise<string> {
    const k = normaliseKey(key);
    if (value.length === 0 || value.length > MAX_VALUE) {
      throw new InvalidAiMemoryError(`value must have 1 to ${MAX_VALUE} characters`);
    }
    const c = category?.trim() || null;
    if (c && (c.length > MAX_CATEGORY || CONTROL.test(c))) {
      throw new InvalidAiMemoryError(
        `category must have at most ${MAX_CATEGORY} characters, without control characters`,
      );
    }
    await this.em.upsert(
      AiMemory,
      {
        id: uuidv7(),
        workspace: viewer.workspaceId,
        user: viewer.id,
        key: k,
        value,
        category: c,
        updatedAt: new Date(),
      },
      {
        onConflictFields: ['user', 'key'],
        onConflictAction: 'merge',
        onConflictMergeFields: ['value', 'category', 'updatedAt'],
      },
    );
    return k;
  }

  async delete(viewer: Viewer, key: string): Promise<boolean> {
    const k = normaliseKey(key);
    const memory = await this.em.findOne(AiMemory, { user: viewer.id, key: k });
    if (!memory) throw new AiMemoryNotFoundError(k);
    this.em.remove(memory);
    await this.em.flush();
    return true;
  }

  get(reader: Reader, viewer: Viewer, key: string): Promise<AiMemoryNode | undefined> {
    return own(reader, viewer).where('ai_memories.key', '=', key).executeTakeFirst();
  }

  list(
    reader: Reader,
    viewer: Viewer,
    page: { first: number; after?: string | null },
    filter: AiMemoryFilter | null | undefined,
  ): Promise<Connection<AiMemoryNode>> {
    let query = own(reader, viewer);
    if (filter?.prefix) {
      query = query.where('ai_memories.key', 'like', `${filter.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (filter?.category) query = query.where('ai_memories.category', '=', filter.category.trim());
    return paginate({
      query,
      idColumn: 'ai_memories.id',
      sort: { column: 'ai_memories.key', field: 'key', direction: 'asc' },
      first: page.first,
      after: page.after,
    });
  }
}

function own(reader: Reader, viewer: Viewer) {
  return reader
    .from('ai_memories')
    .select([
      'ai_memories.id',
      'ai_memories.key',
      'ai_memories.value',
      'ai_memories.category',
      'ai_memories.created_at as createdAt',
      'ai_memories.updated_at as updatedAt',
    ])
    .where('ai_memories.user_id', '=', viewer.id);
}

function normaliseKey(key: string): string {
  const k = key.trim();
  if (k.length === 0 || k.length > MAX_KEY || CONTROL.test(k)) {
    throw new InvalidAiMemoryError(`key must have 1 to ${MAX_KEY} characters, without control characters`);
  }
  return k;
}
