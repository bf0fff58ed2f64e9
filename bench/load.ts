import autocannon from 'autocannon';

export interface LoadTarget {
  /** Full URL, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  /** Completed requests. */
  requests: number;
  /** Mean of autocannon's per-second samples. */
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
}

/**
 * POSTs `target` from `connections` keep-alive connections for `seconds`, with autocannon in this
 * process. Fails on any connection error, timeout or non-2xx answer: those numbers would be wrong.
 */
export function runLoad(target: LoadTarget, seconds: number, connections: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        body: target.body,
        headers: target.headers,
        connections,
        duration: seconds,
        timeout: 10,
      },
      (error: unknown, result: autocannon.Result) => {
        clearTimeout(watchdog);
        if (settled) return;
        settled = true;
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const failures = result.errors + result.timeouts + result.non2xx;
        if (failures > 0) {
          reject(
            new Error(
              `load on ${target.url} failed: ${result.errors} error(s), ${result.timeouts} timeout(s), ` +
                `${result.non2xx} non-2xx answer(s) out of ${result.requests.total} requests`,
            ),
          );
          return;
        }
        resolve({
          requests: result.requests.total,
          reqPerSec: result.requests.average,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          seconds: result.duration,
        });
      },
    );
    // autocannon stops by itself after `seconds`; this only guards against a hang.
    const watchdog = setTimeout(
      () => {
        if (settled) return;
        settled = true;
        instance.stop();
        reject(new Error(`load on ${target.url} did not finish within ${seconds + 30} s`));
      },
      (seconds + 30) * 1000,
    );
  });
}
