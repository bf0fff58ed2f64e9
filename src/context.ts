import type { EntityManager } from '@mikro-orm/postgresql';
import type { App } from './app';
import { ForbiddenError, UnauthenticatedError } from './common/errors';
import { Reader } from './common/reader';
import { TENANT_FILTER, type TenantFilterArgs } from './db/orm-options';
import type { DB } from './db/tables';
import { Role } from './modules/accounts/role';
import { Loaders } from './loaders';

/** The signed-in user, as read once per request from their session. */
export interface Viewer {
  id: string;
  workspaceId: string;
  sessionId: string;
  role: Role;
  email: string;
  displayName: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
  /** Where clients reach this API, e.g. `https://home.example.com` (for links it hands out). */
  baseUrl: string;
}

export interface Context {
  app: App;
  /** A fork of the EntityManager for this request only, scoped to the viewer's workspace. */
  em: EntityManager;
  viewer: Viewer | null;
  request: RequestInfo;
  /** Plain-row reads of the viewer's workspace (throws when signed out). */
  readonly reader: Reader;
  /** Per-request batch loaders keyed within the viewer's workspace. */
  readonly loaders: Loaders;
}

/**
 * The context of one HTTP operation, WebSocket operation, subscription event or job. A class, so
 * the lazy `reader` and `loaders` live on the prototype and survive Apollo's copy of the context.
 */
class RequestContext implements Context {
  readonly em: EntityManager;
  private cachedReader: Reader | undefined;
  private cachedLoaders: Loaders | undefined;

  constructor(
    readonly app: App,
    readonly viewer: Viewer | null,
    readonly request: RequestInfo,
  ) {
    this.em = app.orm.em.fork();
    if (viewer) {
      const args: TenantFilterArgs = { workspaceId: viewer.workspaceId };
      this.em.setFilterParams(TENANT_FILTER, args);
    }
  }

  get reader(): Reader {
    if (!this.viewer) throw new UnauthenticatedError();
    this.cachedReader ??= new Reader(this.em.getKysely<DB>(), this.viewer.workspaceId);
    return this.cachedReader;
  }

  get loaders(): Loaders {
    this.cachedLoaders ??= new Loaders(this.reader);
    return this.cachedLoaders;
  }
}

/** Builds a context: the same function for HTTP, WebSocket, subscription events and jobs. */
export function createContext(app: App, viewer: Viewer | null, request: RequestInfo): Context {
  return new RequestContext(app, viewer, request);
}

export function requireViewer(ctx: Context): Viewer {
  if (!ctx.viewer) throw new UnauthenticatedError();
  return ctx.viewer;
}

export function requireAdmin(ctx: Context): Viewer {
  const viewer = requireViewer(ctx);
  if (viewer.role !== Role.ADMIN) throw new ForbiddenError('Only workspace admins can do this');
  return viewer;
}
