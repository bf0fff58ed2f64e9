import type DataLoader from 'dataloader';
import type { Reader } from './common/reader';
import { readWorkspace, userLoader } from './modules/accounts/accounts.read';
import type { UserNode, WorkspaceNode } from './modules/accounts/accounts.types';

/** Per-request batch loaders, created on first use and scoped to the viewer's workspace. */
export class Loaders {
  #user?: DataLoader<string, UserNode | null>;
  #workspace?: Promise<WorkspaceNode | undefined>;
  readonly #named = new Map<string, unknown>();

  constructor(private readonly reader: Reader) {}

  get user(): DataLoader<string, UserNode | null> {
    this.#user ??= userLoader(this.reader);
    return this.#user;
  }

  /**
   * A module's own loader, created on first use under `key` (include any parameter the loader is
   * specific to, e.g. a page size).
   */
  named<T>(key: string, create: (reader: Reader) => T): T {
    let loader = this.#named.get(key) as T | undefined;
    if (loader === undefined) {
      loader = create(this.reader);
      this.#named.set(key, loader);
    }
    return loader;
  }

  /** The viewer's workspace, read at most once per request. */
  workspace(): Promise<WorkspaceNode | undefined> {
    this.#workspace ??= readWorkspace(this.reader);
    return this.#workspace;
  }
}
