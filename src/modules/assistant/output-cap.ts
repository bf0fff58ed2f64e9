/**
 * Output kept up to `maxBytes` (UTF-8); what comes after is counted, not kept. NUL characters,
 * which a PostgreSQL text column cannot hold, become U+FFFD.
 */
export class CappedOutput {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #dropped = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const room = this.maxBytes - this.#kept;
    if (room > 0) {
      const kept = bytes.length <= room ? bytes : bytes.subarray(0, room);
      this.#chunks.push(kept);
      this.#kept += kept.length;
    }
    this.#dropped += Math.max(0, bytes.length - Math.max(0, room));
  }

  get truncated(): boolean {
    return this.#dropped > 0;
  }

  text(): string {
    // A character cut in two at the cap becomes U+FFFD rather than invalid text.
    const kept = Buffer.concat(this.#chunks).toString('utf8').replaceAll('\u0000', '\uFFFD');
    return this.#dropped > 0 ? `${kept}\n… [${this.#dropped} more bytes not kept]` : kept;
  }
}

/** `text` cut to `maxBytes` (with a note of how much was cut). */
export function capText(text: string, maxBytes: number): string {
  const output = new CappedOutput(maxBytes);
  output.push(text);
  return output.text();
}
