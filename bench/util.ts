/** Small helpers shared by the bench files: logging, env parsing, timeouts and cleanup. */

export const log = (message: string): void => {
  process.stderr.write(`bench: ${message}\n`);
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** An integer environment variable within [min, max], or `fallback` when unset or empty. */
export function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// Cleanup: children stopped and the database dropped, on success, failure and ctrl-c alike.

const cleanups: { name: string; run: () => Promise<void> }[] = [];
let cleaning: Promise<void> | undefined;

/** Registers a step for `cleanup`; steps run in reverse order of registration. */
export function onCleanup(name: string, run: () => Promise<void>): void {
  cleanups.push({ name, run });
}

/** Runs every registered step once (each bounded to 30 s); later calls return the same promise. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await withTimeout(step.run(), 30_000, step.name);
      } catch (error) {
        log(`cleanup "${step.name}" failed: ${errorText(error)}`);
      }
    }
  })();
  return cleaning;
}

/** On SIGINT/SIGTERM: clean up, then exit; a second signal exits at once. */
export function cleanupOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (cleaning) {
        log(`${signal} again: exiting without finishing cleanup`);
        process.exit(130);
      }
      log(`${signal}: stopping children and dropping the database`);
      void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}
