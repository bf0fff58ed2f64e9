import type { Role } from '../modules/accounts/role';
import type { ConnectionHealth } from '../modules/home-assistant/ha-connection.entity';
import type { HaConnectionStatus, HaMetricType } from '../modules/home-assistant/ha.enums';
import type { CalendarItemStatus, CalendarItemType } from '../modules/calendar/calendar.enums';
import type { ActionConfig, TriggerConfig, TriggerState } from '../modules/triggers/trigger.config';
import type { MissedFirePolicy, TriggerExecutionStatus, TriggerType } from '../modules/triggers/trigger.enums';
import type { TaskActionConfig } from '../modules/assistant/task.config';
import type {
  TaskActionType,
  TaskExecutionStatus,
  TaskNotifyOn,
  TaskPriority,
  TaskRunKind,
} from '../modules/assistant/assistant.enums';
import type {
  DeliveryStatus,
  NotificationAudience,
  NotificationSeverity,
} from '../modules/notifications/notification.enums';

/**
 * Column types of the tables, as the plain-row read path (Kysely) sees them. They mirror the
 * entities; the entities and migrations stay the source of truth for the schema.
 */
export interface WorkspacesTable {
  id: string;
  name: string;
  invite_token: string;
  settings: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface UsersTable {
  id: string;
  workspace_id: string;
  email: string;
  password_hash: string;
  display_name: string;
  role: Role;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface SessionsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  refresh_token_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  user_agent: string | null;
  ip_address: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface NotificationsTable {
  id: string;
  workspace_id: string;
  audience: NotificationAudience;
  recipient_id: string | null;
  severity: NotificationSeverity;
  title: string;
  message: string;
  link: string | null;
  source_type: string | null;
  source_id: string | null;
  data: Record<string, unknown>;
  read: boolean;
  read_at: Date | null;
  read_by_id: string | null;
  delivery_status: DeliveryStatus;
  delivery_error: string | null;
  delivered_at: Date | null;
  delivery_topics: string[];
  delivery_attempts: number;
  next_delivery_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface NotificationSettingsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  ntfy_topic: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface TasksTable {
  id: string;
  workspace_id: string;
  user_id: string;
  name: string;
  description: string | null;
  cron: string;
  time_zone: string;
  action_type: TaskActionType;
  action: TaskActionConfig;
  enabled: boolean;
  priority: TaskPriority;
  notify_on: TaskNotifyOn;
  timeout_seconds: number;
  max_attempts: number;
  retry_backoff_seconds: number;
  missed_policy: MissedFirePolicy;
  last_run_at: Date | null;
  next_run_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface TaskExecutionsTable {
  id: string;
  task_id: string;
  workspace_id: string;
  status: TaskExecutionStatus;
  kind: TaskRunKind;
  scheduled_for: Date | null;
  attempt: number;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
  output: string | null;
  error: string | null;
  next_attempt_at: Date | null;
  lease_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface AiMemoriesTable {
  id: string;
  workspace_id: string;
  user_id: string;
  key: string;
  value: string;
  category: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ActivityEventsTable {
  id: string;
  workspace_id: string;
  user_id: string | null;
  type: string;
  message: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

export interface AuditLogsTable {
  id: string;
  workspace_id: string | null;
  user_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  success: boolean;
  error_message: string | null;
  ip_address: string | null;
  user_agent: string | null;
  duration_ms: number | null;
  details: Record<string, unknown> | null;
  created_at: Date;
}

export interface CalendarItemsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  type: CalendarItemType;
  title: string;
  description: string | null;
  start_time: Date | null;
  end_time: Date | null;
  estimated_duration: number | null;
  progress_percent: number;
  recurrence_rule: string | null;
  time_zone: string;
  location: string | null;
  status: CalendarItemStatus;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface CalendarFeedsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  token: string;
  created_at: Date;
  updated_at: Date;
}

export interface TriggersTable {
  id: string;
  workspace_id: string;
  user_id: string;
  calendar_item_id: string;
  trigger_type: TriggerType;
  trigger_config: TriggerConfig;
  action: ActionConfig;
  is_active: boolean;
  last_fired_at: Date | null;
  next_fire_at: Date | null;
  missed_policy: MissedFirePolicy;
  nfc_tag_id: string | null;
  ha_entity_key: string | null;
  state: TriggerState;
  created_at: Date;
  updated_at: Date;
}

export interface TriggerExecutionsTable {
  id: string;
  trigger_id: string;
  workspace_id: string;
  fired_at: Date;
  status: TriggerExecutionStatus;
  result: Record<string, unknown> | null;
  scheduled_for: Date | null;
  late_ms: string | number | null;
  created_at: Date;
}

export interface DB {
  workspaces: WorkspacesTable;
  users: UsersTable;
  sessions: SessionsTable;
  notifications: NotificationsTable;
  activity_events: ActivityEventsTable;
  audit_logs: AuditLogsTable;
  calendar_items: CalendarItemsTable;
  calendar_feeds: CalendarFeedsTable;
  triggers: TriggersTable;
  trigger_executions: TriggerExecutionsTable;
  ha_connections: HaConnectionsTable;
  ha_events: HaEventsTable;
  ha_connection_metrics: HaConnectionMetricsTable;
  notification_settings: NotificationSettingsTable;
  tasks: TasksTable;
  task_executions: TaskExecutionsTable;
  ai_memories: AiMemoriesTable;
}

export interface HaConnectionsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  name: string;
  url: string;
  encrypted_token: string;
  status: HaConnectionStatus;
  home_assistant_version: string | null;
  supported_features: string[] | null;
  event_types: string[];
  retention_days: number;
  is_active: boolean;
  last_connected_at: Date | null;
  last_seen_at: Date | null;
  last_error: string | null;
  connection_health: ConnectionHealth | null;
  holder: string | null;
  held_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface HaEventsTable {
  id: string;
  workspace_id: string;
  connection_id: string;
  event_type: string;
  entity_id: string | null;
  old_state: string | null;
  new_state: string | null;
  attributes: Record<string, unknown> | null;
  context_id: string;
  timestamp: Date;
  processed_at: Date;
  /** pgvector text form `[x,y,…]`. */
  embedding_vector: string | null;
  created_at: Date;
}

export interface HaConnectionMetricsTable {
  id: string;
  workspace_id: string;
  connection_id: string;
  metric_type: HaMetricType;
  /** numeric(10,4), as text. */
  metric_value: string;
  timestamp: Date;
  created_at: Date;
}

/** Tables whose rows belong to one workspace. */
export type TenantTable = {
  [K in keyof DB]: DB[K] extends { workspace_id: string } ? K : never;
}[keyof DB];
