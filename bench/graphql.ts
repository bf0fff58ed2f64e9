import { isDeepStrictEqual } from 'node:util';

/** GraphQL over HTTP for the bench: requests, answers, and comparing two answers. */

const HTTP_TIMEOUT_MS = 15_000;

export interface GraphQLResponse {
  data?: unknown;
  errors?: unknown;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function postJson(url: string, body: string, headers: Record<string, string>): Promise<GraphQLResponse> {
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${url} answered HTTP ${res.status} with non-JSON: ${text.slice(0, 500)}`);
  }
  if (!isObject(parsed)) throw new Error(`${url} answered HTTP ${res.status} with ${text.slice(0, 500)}`);
  return parsed;
}

/** GET `url` as text, bounded like every other request of the bench. */
export async function getText(url: string): Promise<{ ok: boolean; status: number; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  return { ok: res.ok, status: res.status, text: await res.text() };
}

export function requestBody(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify(variables ? { query, variables } : { query });
}

export function jsonHeaders(token?: string): Record<string, string> {
  return { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

/** Data of a GraphQL operation; throws on `errors` or missing `data`. */
export async function graphql(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown> } = {},
): Promise<Record<string, unknown>> {
  const response = await postJson(url, requestBody(query, options.variables), jsonHeaders(options.token));
  if (response.errors !== undefined || !isObject(response.data)) {
    throw new Error(`GraphQL failed: ${JSON.stringify(response).slice(0, 1000)}\nfor: ${query.slice(0, 500)}`);
  }
  return response.data;
}

export function pick(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isObject(current) ? current[key] : undefined;
  return current;
}

export function stringAt(value: unknown, ...keys: string[]): string {
  const found = pick(value, ...keys);
  if (typeof found !== 'string') throw new Error(`expected a string at ${keys.join('.')} in ${JSON.stringify(value)}`);
  return found;
}

/** Where two JSON values first differ, for an error message. */
export function firstDifference(api: unknown, floor: unknown, at: string): string {
  if (Array.isArray(api) && Array.isArray(floor)) {
    for (let i = 0; i < Math.max(api.length, floor.length); i++) {
      if (!isDeepStrictEqual(api[i], floor[i])) return firstDifference(api[i], floor[i], `${at}[${i}]`);
    }
  } else if (isObject(api) && isObject(floor)) {
    for (const key of new Set([...Object.keys(api), ...Object.keys(floor)])) {
      if (!isDeepStrictEqual(api[key], floor[key])) return firstDifference(api[key], floor[key], `${at}.${key}`);
    }
  }
  return `at ${at} the api has ${JSON.stringify(api)?.slice(0, 300)} and the floor ${JSON.stringify(floor)?.slice(0, 300)}`;
}
