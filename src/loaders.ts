import type DataLoader from 'dataloader';
import type { Reader } from './common/reader';
import { readWorkspace, userLoader } from './modules/accounts/accounts.read';
import type { UserNode, WorkspaceNode } from './modules/accounts/accounts.types';

/** Per-request batch loaders, created on first use and scoped to the viewer's workspace. */
export class Loaders {
  #user?: DataLoader<string, UserNode | null>;
  #workspace?: Promise<WorkspaceNode | undefined>;

  constructor(private readonly reader: Reader) {}

  get user(): DataLoader<string, UserNode | null> {
    this.#user ??= userLoader(this.reader);
    return this.#user;
  }

  /** The viewer's workspace, read at most once per request. */
  workspace(): Promise<WorkspaceNode | undefined> {
    this.#workspace ??= readWorkspace(this.reader);
    return this.#workspace;
  }
}
