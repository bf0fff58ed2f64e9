import { ProviderError } from './quest.errors';

const TIMEOUT_MS = 15_000;
export const USER_AGENT = 'HomeOS-API';

/** A request to a provider; any HTTP answer is returned, a network failure or timeout is a `ProviderError`. */
export async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      headers: { 'user-agent': USER_AGENT, ...(init.headers as Record<string, string>) },
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProviderError(`${new URL(url).host} could not be reached: ${reason}`, null, 'network');
  }
}

/** The JSON body of a response, or `ProviderError` when it is not JSON. */
export async function jsonBody(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProviderError(`${what}: HTTP ${response.status} without a JSON body`, response.status);
  }
}

export function form(values: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value != null) params.set(key, value);
  return params.toString();
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Seconds from `Retry-After` (or Fitbit's `fitbit-rate-limit-reset`), when given. */
export function retryAfter(response: Response): number | null {
  for (const header of ['retry-after', 'fitbit-rate-limit-reset']) {
    const value = Number(response.headers.get(header));
    if (Number.isFinite(value) && value > 0) return value;
  }
  return null;
}
