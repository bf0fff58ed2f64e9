import type { Repeater } from '@graphql-yoga/subscription';
import type { Pool } from 'pg';
import { Topic, type AppPubSub, type ViewerChangedPayload } from '../../common/pubsub';
import type { Viewer } from '../../context';
import type { TokenService } from './token.service';

const CACHE_SIZE = 10_000;

// A named statement: each connection plans it once.
const VIEWER_BY_SESSION = {
  name: 'homeos_viewer_by_session',
  text: `select u.id, u.workspace_id as "workspaceId", u.role, u.email, u.display_name as "displayName",
                u.created_at as "createdAt", u.updated_at as "updatedAt"
           from sessions s join users u on u.id = s.user_id
          where s.id = $1 and s.user_id = $2 and s.workspace_id = $3
            and s.revoked_at is null and s.expires_at > now()`,
};

/**
 * Turns a bearer token into the viewer. The signature and expiry are checked on every request;
 * the session and the user (role, membership) are read from the database and kept for a few
 * seconds. Whatever changes a user's standing (sign-out, role change, removal) calls `changed`,
 * which forgets them here at once and, through pub/sub, on every other instance.
 */
export class Viewers {
  readonly #cache = new Map<string, { viewer: Viewer; until: number }>();
  #listener: Repeater<ViewerChangedPayload> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly tokens: TokenService,
    private readonly pubSub: AppPubSub,
    private readonly ttlMs: number,
  ) {}

  async resolve(token: string | null): Promise<Viewer | null> {
    if (!token) return null;
    const claims = await this.tokens.verifyAccess(token);
    if (!claims) return null;
    const now = Date.now();
    const cached = this.#cache.get(claims.sessionId);
    if (cached && cached.until > now && cached.viewer.id === claims.userId) return cached.viewer;
    const { rows } = await this.pool.query<Omit<Viewer, 'sessionId'>>({
      ...VIEWER_BY_SESSION,
      values: [claims.sessionId, claims.userId, claims.workspaceId],
    });
    const row = rows[0];
    if (!row) {
      this.#cache.delete(claims.sessionId);
      return null;
    }
    const viewer: Viewer = { ...row, sessionId: claims.sessionId };
    if (this.ttlMs > 0) {
      this.#cache.delete(claims.sessionId);
      this.#cache.set(claims.sessionId, { viewer, until: now + this.ttlMs });
      if (this.#cache.size > CACHE_SIZE) {
        const oldest = this.#cache.keys().next().value;
        if (oldest !== undefined) this.#cache.delete(oldest);
      }
    }
    return viewer;
  }

  /** The user's session, role or membership changed: forget them on every instance. */
  changed(userId: string): void {
    this.forget(userId);
    this.pubSub.publish(Topic.ViewerChanged, { userId });
  }

  /** Listens for changes made on other instances until `stop`. */
  listen(): void {
    const listener = this.pubSub.subscribe(Topic.ViewerChanged);
    this.#listener = listener;
    void (async () => {
      for await (const { userId } of listener) this.forget(userId);
    })();
  }

  async stop(): Promise<void> {
    await this.#listener?.return();
  }

  private forget(userId: string): void {
    for (const [sessionId, entry] of this.#cache) {
      if (entry.viewer.id === userId) this.#cache.delete(sessionId);
    }
  }
}
