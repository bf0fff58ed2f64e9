/** Runs `fn` over `items`, at most `limit` at a time. */
export async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Runs `work` every `intervalMs` (measured from the start of each run) until stopped, and at once
 * when poked; runs never overlap, and a poke during a run makes another run follow it.
 */
export class PollLoop {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  constructor(
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Run as soon as possible (after the current run, if one is going). */
  poke(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#run(), delay);
  }

  #run(): void {
    if (this.#stopped || this.#running) return;
    const started = Date.now();
    this.#again = false;
    this.#running = this.work()
      .then(
        () => undefined,
        (error: unknown) => this.onError(error),
      )
      .finally(() => {
        this.#running = undefined;
        if (this.#stopped) return;
        this.#schedule(this.#again ? 0 : Math.max(0, this.intervalMs - (Date.now() - started)));
      });
  }
}
