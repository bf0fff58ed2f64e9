import { ActivityEvent } from '../modules/activity/activity-event.entity';
import { Session } from '../modules/accounts/session.entity';
import { User } from '../modules/accounts/user.entity';
import { Workspace } from '../modules/accounts/workspace.entity';
import { AuditLog } from '../modules/audit/audit-log.entity';
import { CalendarFeed } from '../modules/calendar/calendar-feed.entity';
import { CalendarItem } from '../modules/calendar/calendar-item.entity';
import { TriggerExecution } from '../modules/triggers/trigger-execution.entity';
import { Trigger } from '../modules/triggers/trigger.entity';
import { Notification } from '../modules/notifications/notification.entity';
import { HaConnectionMetric } from '../modules/home-assistant/ha-connection-metric.entity';
import { HaConnection } from '../modules/home-assistant/ha-connection.entity';
import { HaEvent } from '../modules/home-assistant/ha-event.entity';
import { HealthLog } from '../modules/workflows/health-log.entity';
import { Screenshot } from '../modules/workflows/screenshot.entity';
import { Step } from '../modules/workflows/step.entity';
import { Workflow } from '../modules/workflows/workflow.entity';
import { GoalCompletion } from '../modules/quest/goal-completion.entity';
import { Goal } from '../modules/quest/goal.entity';
import { Integration } from '../modules/quest/integration.entity';
import { MetricsCache } from '../modules/quest/metrics-cache.entity';
import { Pet } from '../modules/quest/pet.entity';
import { QuestEvent } from '../modules/quest/quest-event.entity';
import { RawEvent } from '../modules/quest/raw-event.entity';
import { NotificationSettings } from '../modules/notifications/notification-settings.entity';
import { AiMemory } from '../modules/assistant/ai-memory.entity';
import { TaskExecution } from '../modules/assistant/task-execution.entity';
import { Task } from '../modules/assistant/task.entity';

/** Every entity of every module; the ORM discovers exactly these. */
export const entities = [
  Workspace,
  User,
  Session,
  ActivityEvent,
  AuditLog,
  Notification,
  CalendarItem,
  CalendarFeed,
  Trigger,
  TriggerExecution,
  HaConnection,
  HaEvent,
  HaConnectionMetric,
  Workflow,
  Step,
  Screenshot,
  HealthLog,
  Pet,
  Integration,
  RawEvent,
  QuestEvent,
  Goal,
  GoalCompletion,
  MetricsCache,
  NotificationSettings,
  Task,
  TaskExecution,
  AiMemory,
];

/**
 * Entities that belong to one workspace. The `tenant` filter applies to each of them and its
 * parameter is mandatory: an EntityManager fork without a workspace cannot read them unless the
 * caller turns the filter off explicitly (sign-in, sign-up, background jobs).
 */
export const tenantEntities = [
  User,
  Session,
  ActivityEvent,
  Notification,
  CalendarItem,
  CalendarFeed,
  Trigger,
  TriggerExecution,
  HaConnection,
  HaEvent,
  HaConnectionMetric,
  Workflow,
  Step,
  Screenshot,
  HealthLog,
  Pet,
  Integration,
  RawEvent,
  QuestEvent,
  Goal,
  GoalCompletion,
  MetricsCache,
  NotificationSettings,
  Task,
  TaskExecution,
  AiMemory,
];
