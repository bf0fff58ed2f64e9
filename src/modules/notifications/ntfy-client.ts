import { NotificationSeverity } from './notification.enums';

const TIMEOUT_MS = 10_000;
const MAX_EXCERPT_CHARS = 200;
/** ntfy truncates (or turns into an attachment) messages above 4096 bytes. */
const MAX_MESSAGE_CHARS = 4000;

/** One push, in ntfy's JSON publishing format. */
export interface NtfyMessage {
  topic: string;
  title: string;
  message: string;
  /** 1 (min) … 5 (max); 3 is ntfy's default. */
  priority: number;
  tags: string[];
  click?: string;
}

/** Whether a failed publish is worth retrying (network trouble, 5xx, 408, 429) or not (other 4xx). */
export class NtfyError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'NtfyError';
  }
}

const PRIORITY: Record<NotificationSeverity, number> = {
  [NotificationSeverity.INFO]: 3,
  [NotificationSeverity.WARNING]: 4,
  [NotificationSeverity.ERROR]: 5,
};

const TAGS: Record<NotificationSeverity, string[]> = {
  [NotificationSeverity.INFO]: ['information_source'],
  [NotificationSeverity.WARNING]: ['warning'],
  [NotificationSeverity.ERROR]: ['rotating_light'],
};

/** The push of a notification: priority and tag from its severity, its link as the click URL. */
export function ntfyMessage(
  topic: string,
  notification: {
    title: string;
    message: string;
    severity: NotificationSeverity;
    link: string | null;
    sourceType: string | null;
  },
  appUrl: string | undefined,
): NtfyMessage {
  const message =
    notification.message.length > MAX_MESSAGE_CHARS
      ? `${notification.message.slice(0, MAX_MESSAGE_CHARS)}…`
      : notification.message;
  const click = clickUrl(notification.link, appUrl);
  return {
    topic,
    title: notification.title,
    message: message || notification.title,
    priority: PRIORITY[notification.severity],
    tags: [...TAGS[notification.severity], ...(notification.sourceType ? [notification.sourceType] : [])],
    ...(click ? { click } : {}),
  };
}

/** An absolute http(s) link as it is; a relative one against the app's URL; otherwise none. */
function clickUrl(link: string | null, appUrl: string | undefined): string | undefined {
  if (!link) return undefined;
  try {
    const url = appUrl ? new URL(link, appUrl) : new URL(link);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Publishes to an ntfy server (`POST <server>/` with a JSON body, basic auth when configured).
 * See https://docs.ntfy.sh/publish/#publish-as-json.
 */
export class NtfyClient {
  private readonly endpoint: string;
  private readonly authorization: string | undefined;

  constructor(options: { url: string; username?: string | undefined; password?: string | undefined }) {
    this.endpoint = options.url;
    this.authorization =
      options.username && options.password
        ? `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`
        : undefined;
  }

  /** Resolves with ntfy's message id; throws an `NtfyError`. */
  async publish(message: NtfyMessage): Promise<string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const timedOut = (error as { name?: unknown }).name === 'TimeoutError';
      throw new NtfyError(
        timedOut ? `ntfy did not answer within ${TIMEOUT_MS} ms` : `ntfy unreachable: ${reason(error)}`,
        true,
      );
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
      throw new NtfyError(`ntfy answered HTTP ${response.status}${excerpt(text)}`, retryable);
    }
    try {
      const body = JSON.parse(text) as { id?: unknown };
      return typeof body.id === 'string' ? body.id : '';
    } catch {
      return '';
    }
  }
}

function reason(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown } };
  const cause = typeof e.cause?.message === 'string' ? ` (${e.cause.message})` : '';
  return `${typeof e.message === 'string' ? e.message : String(error)}${cause}`;
}

/** ntfy's errors are JSON: `{"code":40301,"http":403,"error":"forbidden",…}`. */
function excerpt(text: string): string {
  let detail = text;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') detail = body.error;
  } catch {
    // not JSON: the start of the text
  }
  detail = detail.replace(/\s+/g, ' ').trim();
  if (!detail) return '';
  return `: ${detail.length > MAX_EXCERPT_CHARS ? `${detail.slice(0, MAX_EXCERPT_CHARS)}…` : detail}`;
}
