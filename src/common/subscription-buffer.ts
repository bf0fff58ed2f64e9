import { GraphQLError } from 'graphql';

/**
 * Reads a pub/sub stream as fast as it produces — so the pub/sub's own queue, which throws in the
 * publisher when more than 1024 items wait, never fills up — expands each item into what the
 * subscriber is sent (possibly nothing), and keeps at most `limit` of those waiting. A subscriber
 * that falls further behind is ended with an error rather than holding memory without bound.
 */
export function drained<S, T>(
  source: AsyncIterable<S>,
  expand: (item: S) => T[],
  limit: number,
): AsyncIterableIterator<T> {
  const upstream = source[Symbol.asyncIterator]();
  const queue: T[] = [];
  let waiter: ((result: IteratorResult<T>) => void) | undefined;
  let waiterFail: ((error: unknown) => void) | undefined;
  let failure: unknown;
  let finished = false;

  const settle = () => {
    if (!waiter) return;
    const resolve = waiter;
    const reject = waiterFail!;
    if (queue.length > 0) {
      waiter = waiterFail = undefined;
      resolve({ value: queue.shift()!, done: false });
    } else if (failure !== undefined) {
      waiter = waiterFail = undefined;
      reject(failure);
    } else if (finished) {
      waiter = waiterFail = undefined;
      resolve({ value: undefined, done: true });
    }
  };

  const stop = async () => {
    if (finished) return;
    finished = true;
    await upstream.return?.();
  };

  void (async () => {
    try {
      for (;;) {
        const next = await upstream.next();
        if (next.done || finished) break;
        queue.push(...expand(next.value));
        if (queue.length > limit) {
          queue.length = 0;
          failure = new GraphQLError(`Subscription ended: more than ${limit} events waited to be sent`, {
            extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
          });
          await stop();
          break;
        }
        settle();
      }
    } catch (error) {
      failure = error;
    }
    finished = true;
    settle();
  })();

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        waiter = resolve;
        waiterFail = reject;
        settle();
      });
    },
    async return() {
      queue.length = 0;
      await stop();
      settle();
      return { value: undefined, done: true };
    },
  };
}
