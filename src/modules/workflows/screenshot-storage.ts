import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Where a stored image lives: its key, and the URL an object storage serves it at (if any). */
export interface StoredObject {
  key: string;
  url: string | null;
}

/**
 * The bytes of screenshots, by key. Keys are content addresses (workspace, SHA-256, format), so
 * storing the same key twice keeps one copy. The local implementation keeps files under the data
 * folder; an object storage (S3) implements the same three methods and fills in `url`.
 */
export interface ScreenshotStorage {
  put(key: string, bytes: Buffer, contentType: string): Promise<StoredObject>;
  /** The bytes, or null when nothing is stored under the key. */
  read(key: string): Promise<Buffer | null>;
  remove(key: string): Promise<void>;
}

export function screenshotKey(workspaceId: string, sha256: string, format: string): string {
  return `${workspaceId}/${sha256.slice(0, 2)}/${sha256}.${format}`;
}

const KEY = /^[0-9a-f-]{36}\/[0-9a-f]{2}\/[0-9a-f]{64}\.[a-z]{3,4}$/;

/** Files under a folder (`DATA_DIR/screenshots`), written atomically. */
export class LocalScreenshotStorage implements ScreenshotStorage {
  constructor(private readonly root: string) {}

  async put(key: string, bytes: Buffer): Promise<StoredObject> {
    const file = this.file(key);
    try {
      await fs.access(file);
      return { key, url: null };
    } catch {
      // not stored yet
    }
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${randomUUID()}.tmp`;
    await fs.writeFile(temporary, bytes, { mode: 0o640 });
    await fs.rename(temporary, file);
    return { key, url: null };
  }

  async read(key: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.file(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }

  private file(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a screenshot key: ${key}`);
    return path.join(this.root, key);
  }
}
