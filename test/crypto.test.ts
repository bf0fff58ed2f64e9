import { parseKeySpecs, SecretBox, SecretBoxError } from '../src/common/crypto';

const keyA = { version: 1, secret: 'a'.repeat(40) };
const keyB = { version: 2, secret: 'b'.repeat(40) };

describe('SecretBox', () => {
  it('seals with a fresh nonce each time and opens only in the same context', () => {
    const box = new SecretBox([keyA]);
    const one = box.seal('token-123', 'row:1');
    const two = box.seal('token-123', 'row:1');
    expect(one).not.toBe(two);
    expect(one).not.toContain('token-123');
    expect(box.open(one, 'row:1')).toBe('token-123');
    expect(() => box.open(one, 'row:2')).toThrow(SecretBoxError);
  });

  it('refuses a value with any byte changed, and garbage', () => {
    const box = new SecretBox([keyA]);
    const sealed = box.seal('token-123', 'row:1');
    const body = Buffer.from(sealed.split('.')[3]!, 'base64url');
    for (const index of [0, body.length - 1]) {
      const altered = Buffer.from(body);
      altered[index] = altered[index]! ^ 1;
      const parts = sealed.split('.');
      parts[3] = altered.toString('base64url');
      expect(() => box.open(parts.join('.'), 'row:1')).toThrow(SecretBoxError);
    }
    expect(() => box.open('plain-token', 'row:1')).toThrow(/not a sealed value/);
  });

  it('rotates keys: the first seals, every configured one opens, a removed one does not', () => {
    const old = new SecretBox([keyA]).seal('token-123', 'row:1');
    const rotated = new SecretBox(parseKeySpecs(`2:${keyB.secret}, 1:${keyA.secret}`));
    expect(rotated.open(old, 'row:1')).toBe('token-123');
    expect(rotated.isStale(old)).toBe(true);
    const fresh = rotated.seal('token-123', 'row:1');
    expect(fresh.startsWith('sb1.2.')).toBe(true);
    expect(() => new SecretBox([keyB]).open(old, 'row:1')).toThrow(/no encryption key of version 1/);
    expect(() => parseKeySpecs('x:secret')).toThrow(SecretBoxError);
    expect(() => new SecretBox([{ version: 1, secret: 'short' }])).toThrow(/at least 32/);
  });
});
