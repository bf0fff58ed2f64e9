import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

/** One GraphQL operation over HTTP POST, as a client would send it. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...body };
}

/** The code of the first error, or undefined. */
export function errorCode(response: GraphQLResponse<unknown>): unknown {
  return response.errors?.[0]?.extensions?.code;
}

/** A graphql-ws client on the server's `/graphql` path. */
export function wsClient(httpUrl: string, token?: string): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

export interface Subscription<T> {
  /** Resolves with the next event (or rejects with the operation's errors). */
  next(timeoutMs?: number): Promise<T>;
  close(): void;
}

/** Subscribes and queues events, so a test can await them one by one. */
export function subscribe<T = Record<string, any>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): Subscription<T> {
  const events: Array<{ value?: T; error?: unknown }> = [];
  const waiters: Array<(e: { value?: T; error?: unknown }) => void> = [];
  const push = (e: { value?: T; error?: unknown }) => {
    const waiter = waiters.shift();
    if (waiter) waiter(e);
    else events.push(e);
  };
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => push(result.errors ? { error: result.errors } : { value: result.data as T }),
      error: (error) => push({ error }),
      complete: () => undefined,
    },
  );
  return {
    next(timeoutMs = 5000) {
      const ready = events.shift();
      const settle = (e: { value?: T; error?: unknown }) =>
        e.error !== undefined ? Promise.reject(e.error) : Promise.resolve(e.value as T);
      if (ready) return settle(ready);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((e) => {
          clearTimeout(timer);
          settle(e).then(resolve, reject);
        });
      });
    },
    close: unsubscribe,
  };
}
