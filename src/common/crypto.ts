import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** One encryption key: its version (stored with every value it sealed) and its secret. */
export interface KeySpec {
  version: number;
  secret: string;
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const FORMAT = 'sb1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts small secrets (access tokens, OAuth tokens) for storage: AES-256-GCM with a fresh
 * random nonce per value. Each value is bound to a context (e.g. the table, workspace and row it
 * belongs to) as additional authenticated data, so a ciphertext copied to another row does not
 * decrypt. The key version is stored with the value: several keys can be configured, the first
 * seals new values and every one still opens what it sealed, so keys rotate without downtime.
 *
 * Sealed form: `sb1.<key version>.<nonce>.<ciphertext+tag>` (base64url parts).
 */
export class SecretBox {
  readonly #keys = new Map<number, Buffer>();
  readonly #current: number;

  constructor(keys: KeySpec[]) {
    if (keys.length === 0) throw new SecretBoxError('at least one encryption key is needed');
    for (const { version, secret } of keys) {
      if (this.#keys.has(version)) throw new SecretBoxError(`encryption key version ${version} given twice`);
      this.#keys.set(version, deriveKey(secret));
    }
    this.#current = keys[0]!.version;
  }

  /** The version new values are sealed with. */
  get currentVersion(): number {
    return this.#current;
  }

  seal(plaintext: string, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.#current)!, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [FORMAT, this.#current, nonce.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The plaintext; throws {@link SecretBoxError} when the value was altered, moved or its key is gone. */
  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    const version = Number(parts[1]);
    if (parts.length !== 4 || parts[0] !== FORMAT || !Number.isInteger(version)) {
      throw new SecretBoxError('not a sealed value');
    }
    const key = this.#keys.get(version);
    if (!key) throw new SecretBoxError(`no encryption key of version ${version} is configured`);
    const nonce = Buffer.from(parts[2]!, 'base64url');
    const body = Buffer.from(parts[3]!, 'base64url');
    if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new SecretBoxError('not a sealed value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretBoxError('the sealed value does not decrypt: altered, moved to another record, or wrong key');
    }
  }

  /** Whether a value was sealed with an older key and should be sealed again. */
  isStale(sealed: string): boolean {
    return Number(sealed.split('.')[1]) !== this.#current;
  }
}

/** A 256-bit key from a configured secret of any length (HKDF-SHA256). */
function deriveKey(secret: string): Buffer {
  if (secret.length < 32) throw new SecretBoxError('an encryption key must be at least 32 characters');
  return Buffer.from(hkdfSync('sha256', secret, 'homeos-api', 'secret-box aes-256-gcm', 32));
}

/** `2:secretB,1:secretA` → keys, newest first as given. */
export function parseKeySpecs(value: string): KeySpec[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.indexOf(':');
      const version = Number(part.slice(0, colon));
      if (colon < 1 || !Number.isInteger(version) || version < 1) {
        throw new SecretBoxError('each key is "<version>:<secret>" with a positive integer version');
      }
      return { version, secret: part.slice(colon + 1) };
    });
}
