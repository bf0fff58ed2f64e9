import { drained } from '../src/common/subscription-buffer';

/** A source with `count` batches ready at once, the way a burst of publishes is. */
async function* burst(count: number, size: number): AsyncGenerator<number[]> {
  for (let i = 0; i < count; i += 1) yield Array.from({ length: size }, (_, j) => i * size + j);
}

describe('drained', () => {
  it('delivers every expanded value in order, filtering as asked', async () => {
    const seen: number[] = [];
    for await (const value of drained(burst(50, 100), (batch) => batch.filter((n) => n % 2 === 0), 10_000)) {
      seen.push(value);
    }
    expect(seen).toHaveLength(2500);
    expect(seen.slice(0, 3)).toEqual([0, 2, 4]);
    expect(seen.at(-1)).toBe(4998);
  });

  it('ends a subscriber that falls too far behind with a coded error', async () => {
    const iterator = drained(burst(100, 100), (batch) => batch, 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(iterator.next()).rejects.toMatchObject({ extensions: { code: 'SUBSCRIBER_TOO_SLOW' } });
  });

  it('stops reading its source when the subscriber leaves', async () => {
    let returned = false;
    const source: AsyncIterable<number[]> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<number[]>>(() => undefined),
        return: async () => {
          returned = true;
          return { value: undefined, done: true };
        },
      }),
    };
    const iterator = drained(source, (batch) => batch, 10);
    await iterator.return!();
    expect(returned).toBe(true);
  });
});
