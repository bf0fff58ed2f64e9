import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived signed addresses of screenshots (`/screenshots/<id>?expires=…&signature=…`), for
 * `<img src>` where no Authorization header can be sent. The signature is an HMAC of the id and the
 * expiry with a key derived from the token secret, so every instance accepts every other's. Expiry
 * is rounded up to the minute, so a page re-rendered within a minute gets the same (cacheable) URL.
 */
export class ScreenshotUrls {
  readonly #key: Buffer;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly clock: () => Date,
  ) {
    this.#key = createHmac('sha256', secret).update('homeos screenshot urls v1').digest();
  }

  url(baseUrl: string, id: string): string {
    const now = Math.floor(this.clock().getTime() / 1000);
    const expires = Math.ceil((now + this.ttlSeconds) / 60) * 60;
    return `${baseUrl.replace(/\/$/, '')}/screenshots/${id}?expires=${expires}&signature=${this.sign(id, expires)}`;
  }

  /** Whether the signature is ours for this id and expiry, and the expiry has not passed. */
  verify(id: string, expires: unknown, signature: unknown): boolean {
    if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) return false;
    const at = Number(expires);
    if (at * 1000 < this.clock().getTime()) return false;
    const expected = Buffer.from(this.sign(id, at));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.#key).update(`${id}.${expires}`).digest('base64url');
  }
}
