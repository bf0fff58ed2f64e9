import type { App } from '../../app';
import { Topic } from '../../common/pubsub';
import type { HaConnectionStatus } from './ha.enums';

export interface HaStatusChange {
  workspaceId: string;
  userId: string;
  connectionId: string;
  status: HaConnectionStatus;
}

/** Tells `haConnectionStatusChanged` subscribers (on every instance). */
export function publishStatus(app: App, change: HaStatusChange): void {
  app.pubSub.publish(Topic.HaConnectionStatusChanged, change);
}
