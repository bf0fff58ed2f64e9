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
import type { RunStatus, StepAction, WorkflowStatus } from '../modules/workflows/workflow.enums';
import type { PetStateJson } from '../modules/quest/pet-state';
import type {
  GoalKind,
  GoalPeriod,
  IntegrationStatus,
  QuestEventKind,
  QuestProvider,
  RawEventStatus,
} from '../modules/quest/quest.enums';

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

export interface WorkflowsTable {
  id: string;
  workspace_id: string;
  created_by_id: string | null;
  name: string;
  description: string | null;
  starting_url: string | null;
  tags: string[];
  status: WorkflowStatus;
  success_rate: number;
  run_count: number;
  success_count: number;
  failure_count: number;
  healed_count: number;
  consecutive_failures: number;
  last_run_at: Date | null;
  last_successful_run_at: Date | null;
  last_failed_run_at: Date | null;
  health_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface StepsTable {
  id: string;
  workspace_id: string;
  workflow_id: string;
  screenshot_id: string | null;
  step_number: number;
  recorded_at: Date | null;
  action: StepAction;
  selectors: Record<string, unknown>;
  element_meta: Record<string, unknown>;
  page_context: Record<string, unknown>;
  action_data: Record<string, unknown> | null;
  dom_context: Record<string, unknown> | null;
  label: string | null;
  instruction: string | null;
  ai_confidence: number | null;
  ai_model: string | null;
  ai_generated_at: Date | null;
  label_edited: boolean;
  instruction_edited: boolean;
  edited_by_id: string | null;
  edited_at: Date | null;
  healed_selectors: Record<string, unknown> | null;
  healed_at: Date | null;
  healing_confidence: number | null;
  healing_method: string | null;
  heal_count: number;
  created_at: Date;
  updated_at: Date;
}

export interface ScreenshotsTable {
  id: string;
  workspace_id: string;
  workflow_id: string;
  sha256: string;
  storage_key: string;
  storage_url: string | null;
  file_size: number;
  width: number | null;
  height: number | null;
  format: string;
  created_at: Date;
  updated_at: Date;
}

export interface HealthLogsTable {
  id: string;
  workspace_id: string;
  workflow_id: string;
  step_id: string | null;
  user_id: string | null;
  status: RunStatus;
  error_type: string | null;
  error_message: string | null;
  healed_selectors: Record<string, unknown> | null;
  healing_confidence: number | null;
  deterministic_score: number | null;
  ai_confidence: number | null;
  candidates_evaluated: number | null;
  page_state_hash: string | null;
  page_url: string | null;
  duration_ms: number | null;
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
  workflows: WorkflowsTable;
  steps: StepsTable;
  screenshots: ScreenshotsTable;
  health_logs: HealthLogsTable;
  pets: PetsTable;
  integrations: IntegrationsTable;
  raw_events: RawEventsTable;
  quest_events: QuestEventsTable;
  goals: GoalsTable;
  goal_completions: GoalCompletionsTable;
  metrics_cache: MetricsCacheTable;
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

export interface PetsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  name: string;
  species: string;
  state_json: PetStateJson;
  created_at: Date;
  updated_at: Date;
}

export interface IntegrationsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  provider: QuestProvider;
  status: IntegrationStatus;
  account_id: string | null;
  account_name: string | null;
  scopes: string[];
  encrypted_access_token: string | null;
  encrypted_refresh_token: string | null;
  token_expires_at: Date | null;
  encrypted_webhook_secret: string | null;
  oauth_nonce: string | null;
  time_zone: string | null;
  connected_at: Date | null;
  last_synced_at: Date | null;
  next_sync_at: Date | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface RawEventsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  integration_id: string;
  provider: QuestProvider;
  event_type: string;
  delivery_id: string;
  payload: Record<string, unknown>;
  status: RawEventStatus;
  error: string | null;
  note: string | null;
  event_count: number;
  received_at: Date;
  processed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface QuestEventsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  integration_id: string;
  raw_event_id: string | null;
  provider: QuestProvider;
  kind: QuestEventKind;
  external_id: string;
  value: number;
  title: string | null;
  url: string | null;
  repository: string | null;
  occurred_at: Date;
  xp: number;
  data: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface GoalsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  kind: GoalKind;
  target: number;
  period: GoalPeriod;
  time_zone: string;
  is_active: boolean;
  streak: number;
  best_streak: number;
  streak_period_start: Date | null;
  last_met_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface GoalCompletionsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  goal_id: string;
  period: GoalPeriod;
  period_start: Date;
  period_end: Date;
  value: number;
  bonus_xp: number;
  created_at: Date;
}

export interface MetricsCacheTable {
  id: string;
  workspace_id: string;
  user_id: string;
  key: string;
  value: Record<string, unknown>;
  version: number;
  computed_at: Date;
  expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Tables whose rows belong to one workspace. */
export type TenantTable = {
  [K in keyof DB]: DB[K] extends { workspace_id: string } ? K : never;
}[keyof DB];
