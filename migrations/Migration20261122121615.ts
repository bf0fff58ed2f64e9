import { Migration } from '@mikro-orm/migrations';

export class Migration20261122121615 extends Migration {
  override name = 'Migration20261122121615';

  override up(): void | Promise<void> {
    this.addSql(
      `create type "task_action_type" as enum ('PROMPT', 'COMMAND', 'NOTIFY', 'WEBHOOK', 'CALL_HA_SERVICE');`,
    );
    this.addSql(`create type "task_priority" as enum ('LOW', 'DEFAULT', 'HIGH');`);
    this.addSql(`create type "task_notify_on" as enum ('SUCCESS', 'FAILURE', 'BOTH', 'NEVER');`);
    this.addSql(
      `create type "task_execution_status" as enum ('PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'TIMED_OUT', 'SKIPPED');`,
    );
    this.addSql(`create type "task_run_kind" as enum ('SCHEDULED', 'MANUAL');`);
    this.addSql(
      `create table "tasks" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "name" varchar(200) not null, "description" text null, "cron" varchar(120) not null, "time_zone" varchar(64) not null default 'UTC', "action_type" "task_action_type" not null, "action" jsonb not null, "enabled" boolean not null default true, "priority" "task_priority" not null default 'DEFAULT', "notify_on" "task_notify_on" not null default 'BOTH', "timeout_seconds" int not null default 300, "max_attempts" int not null default 1, "retry_backoff_seconds" int not null default 60, "missed_policy" "missed_fire_policy" not null default 'FIRE_ONCE_LATE', "last_run_at" timestamptz null, "next_run_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "tasks_workspace_id_index" on "tasks" ("workspace_id");`);
    this.addSql(`create index "tasks_user_id_name_index" on "tasks" ("user_id", "name");`);
    this.addSql(
      `create index "tasks_due_index" on "tasks" ("next_run_at") where "enabled" and "next_run_at" is not null;`,
    );

    this.addSql(
      `create table "task_executions" ("id" uuid not null, "task_id" uuid not null, "workspace_id" uuid not null, "status" "task_execution_status" not null, "kind" "task_run_kind" not null, "scheduled_for" timestamptz null, "attempt" int not null default 1, "started_at" timestamptz null, "finished_at" timestamptz null, "duration_ms" int null, "output" text null, "error" text null, "next_attempt_at" timestamptz null, "lease_expires_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "task_executions_workspace_id_index" on "task_executions" ("workspace_id");`);
    this.addSql(
      `create index "task_executions_running_index" on "task_executions" ("lease_expires_at") where "status" = 'RUNNING';`,
    );
    this.addSql(
      `create index "task_executions_pending_index" on "task_executions" ("next_attempt_at") where "status" = 'PENDING';`,
    );
    this.addSql(
      `create unique index "task_executions_one_active_unique" on "task_executions" ("task_id") where "status" in ('PENDING', 'RUNNING');`,
    );
    this.addSql(
      `create index "task_executions_task_id_created_at_index" on "task_executions" ("task_id", "created_at");`,
    );
    this.addSql(
      `alter table "task_executions" add constraint "task_executions_task_scheduled_unique" unique ("task_id", "scheduled_for");`,
    );

    this.addSql(
      `create table "notification_settings" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "ntfy_topic" varchar(64) null, primary key ("id"));`,
    );
    this.addSql(`create index "notification_settings_workspace_id_index" on "notification_settings" ("workspace_id");`);
    this.addSql(
      `alter table "notification_settings" add constraint "notification_settings_user_id_unique" unique ("user_id");`,
    );

    this.addSql(
      `create table "ai_memories" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "key" varchar(200) not null, "value" text not null, "category" varchar(100) null, primary key ("id"));`,
    );
    this.addSql(`create index "ai_memories_workspace_id_index" on "ai_memories" ("workspace_id");`);
    this.addSql(`create index "ai_memories_user_id_category_index" on "ai_memories" ("user_id", "category");`);
    this.addSql(`alter table "ai_memories" add constraint "ai_memories_user_id_key_unique" unique ("user_id", "key");`);

    this.addSql(
      `alter table "notifications" add "delivery_topics" text[] not null default '{}', add "delivery_attempts" int not null default 0, add "next_delivery_at" timestamptz null;`,
    );
    this.addSql(
      `create index "notifications_push_due_index" on "notifications" ("next_delivery_at") where "delivery_status" = 'PENDING';`,
    );

    this.addSql(
      `alter table "tasks" add constraint "tasks_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "task_executions" add constraint "task_executions_task_id_foreign" foreign key ("task_id") references "tasks" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "task_executions" add constraint "task_executions_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "notification_settings" add constraint "notification_settings_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "notification_settings" add constraint "notification_settings_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "ai_memories" add constraint "ai_memories_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "ai_memories" add constraint "ai_memories_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "task_executions" drop constraint "task_executions_task_id_foreign";`);

    this.addSql(`drop table if exists "tasks" cascade;`);
    this.addSql(`drop table if exists "task_executions" cascade;`);
    this.addSql(`drop table if exists "notification_settings" cascade;`);
    this.addSql(`drop table if exists "ai_memories" cascade;`);

    this.addSql(`drop index "notifications_push_due_index";`);
    this.addSql(
      `alter table "notifications" drop column "delivery_topics", drop column "delivery_attempts", drop column "next_delivery_at";`,
    );

    this.addSql(`drop type "task_action_type";`);
    this.addSql(`drop type "task_priority";`);
    this.addSql(`drop type "task_notify_on";`);
    this.addSql(`drop type "task_execution_status";`);
    this.addSql(`drop type "task_run_kind";`);
  }
}
