import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config';
import type { Logger } from './common/logger';
import type { Metrics } from './common/metrics';
import type { AppPubSub } from './common/pubsub';
import type { SecretBox } from './common/crypto';
import type { HaRuntime } from './modules/home-assistant/ha-runtime';
import type { QuestRuntime } from './modules/quest/quest-runtime';
import type { TokenService } from './modules/accounts/token.service';
import type { Viewers } from './modules/accounts/viewers';
import type { TimeTriggerScheduler } from './modules/triggers/time-scheduler';
import type { TriggerEngine } from './modules/triggers/trigger-engine';
import type { ScreenshotFiles } from './modules/workflows/screenshot-files';
import type { PushDelivery } from './modules/notifications/push-delivery';
import type { TaskRuntime } from './modules/assistant/task-runtime';

/** What lives as long as the server: shared by every request, subscription and job. */
export interface App {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  pubSub: AppPubSub;
  metrics: Metrics;
  tokens: TokenService;
  viewers: Viewers;
  /** The current time; injected so tests and jobs never depend on the wall clock. */
  clock: () => Date;
  triggerEngine: TriggerEngine;
  timeTriggers: TimeTriggerScheduler;
  /** Seals stored secrets (Home Assistant and integration tokens). */
  secrets: SecretBox;
  homeAssistant: HaRuntime;
  screenshots: ScreenshotFiles;
  /** OAuth, webhooks and the Fitbit sync of the quest module. */
  quest: QuestRuntime;
  /** Delivers notifications to ntfy (when NTFY_URL is set). */
  push: PushDelivery;
  /** Runs scheduled tasks. */
  tasks: TaskRuntime;
}
