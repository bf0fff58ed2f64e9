import { Migration } from '@mikro-orm/migrations';

export class Migration20261122101311 extends Migration {
  override name = 'Migration20261122101311';

  override up(): void | Promise<void> {
    this.addSql(`create type "calendar_item_type" as enum ('EVENT', 'TASK', 'REMINDER');`);
    this.addSql(`create type "calendar_item_status" as enum ('PENDING', 'ACTIVE', 'COMPLETED', 'CANCELLED');`);
    this.addSql(`create type "trigger_type" as enum ('TIME', 'LOCATION', 'PROGRESS', 'NFC');`);
    this.addSql(`create type "missed_fire_policy" as enum ('FIRE_ONCE_LATE', 'SKIP');`);
    this.addSql(`create type "trigger_execution_status" as enum ('SUCCESS', 'FAILURE');`);
    this.addSql(
      `create table "calendar_items" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "type" "calendar_item_type" not null, "title" varchar(500) not null, "description" text null, "start_time" timestamptz null, "end_time" timestamptz null, "estimated_duration" int null, "progress_percent" int not null default 0, "recurrence_rule" text null, "time_zone" varchar(64) not null default 'UTC', "location" varchar(500) null, "status" "calendar_item_status" not null default 'PENDING', "completed_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "calendar_items_type_index" on "calendar_items" ("type");`);
    this.addSql(`create index "calendar_items_status_index" on "calendar_items" ("status");`);
    this.addSql(
      `create index "calendar_items_workspace_id_start_time_index" on "calendar_items" ("workspace_id", "start_time");`,
    );
    this.addSql(
      `create index "calendar_items_user_id_start_time_index" on "calendar_items" ("user_id", "start_time");`,
    );

    this.addSql(
      `create table "triggers" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "calendar_item_id" uuid not null, "trigger_type" "trigger_type" not null, "trigger_config" jsonb not null, "action" jsonb not null, "is_active" boolean not null default true, "last_fired_at" timestamptz null, "next_fire_at" timestamptz null, "missed_policy" "missed_fire_policy" not null default 'FIRE_ONCE_LATE', "nfc_tag_id" varchar(64) null, "state" jsonb not null default '{}', primary key ("id"));`,
    );
    this.addSql(`create index "triggers_calendar_item_id_index" on "triggers" ("calendar_item_id");`);
    this.addSql(`create index "triggers_workspace_id_nfc_tag_id_index" on "triggers" ("workspace_id", "nfc_tag_id");`);
    this.addSql(`create index "triggers_user_id_trigger_type_index" on "triggers" ("user_id", "trigger_type");`);
    this.addSql(
      `create index "triggers_due_index" on "triggers" ("next_fire_at") where "is_active" and "next_fire_at" is not null;`,
    );

    this.addSql(
      `create table "trigger_executions" ("id" uuid not null, "trigger_id" uuid not null, "workspace_id" uuid not null, "fired_at" timestamptz not null, "status" "trigger_execution_status" not null, "result" jsonb null, "scheduled_for" timestamptz null, "late_ms" bigint null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "trigger_executions_workspace_id_index" on "trigger_executions" ("workspace_id");`);
    this.addSql(`create index "trigger_executions_status_index" on "trigger_executions" ("status");`);
    this.addSql(
      `create index "trigger_executions_trigger_id_fired_at_index" on "trigger_executions" ("trigger_id", "fired_at");`,
    );
    this.addSql(
      `alter table "trigger_executions" add constraint "trigger_executions_trigger_scheduled_unique" unique ("trigger_id", "scheduled_for");`,
    );

    this.addSql(
      `create table "calendar_feeds" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "token" varchar(64) not null, primary key ("id"));`,
    );
    this.addSql(`create index "calendar_feeds_workspace_id_index" on "calendar_feeds" ("workspace_id");`);
    this.addSql(`alter table "calendar_feeds" add constraint "calendar_feeds_user_id_unique" unique ("user_id");`);
    this.addSql(`alter table "calendar_feeds" add constraint "calendar_feeds_token_unique" unique ("token");`);

    this.addSql(
      `alter table "calendar_items" add constraint "calendar_items_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "calendar_items" add constraint "calendar_items_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "calendar_items" add constraint "calendar_items_estimated_duration_check" check (estimated_duration is null or estimated_duration >= 0);`,
    );
    this.addSql(
      `alter table "calendar_items" add constraint "calendar_items_end_time_check" check (end_time is null or start_time is null or end_time >= start_time);`,
    );
    this.addSql(
      `alter table "calendar_items" add constraint "calendar_items_progress_percent_check" check (progress_percent >= 0 and progress_percent <= 100);`,
    );

    this.addSql(
      `alter table "triggers" add constraint "triggers_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "triggers" add constraint "triggers_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "triggers" add constraint "triggers_calendar_item_id_foreign" foreign key ("calendar_item_id") references "calendar_items" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "trigger_executions" add constraint "trigger_executions_trigger_id_foreign" foreign key ("trigger_id") references "triggers" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "trigger_executions" add constraint "trigger_executions_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "calendar_feeds" add constraint "calendar_feeds_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "calendar_feeds" add constraint "calendar_feeds_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "triggers" drop constraint "triggers_calendar_item_id_foreign";`);
    this.addSql(`alter table "trigger_executions" drop constraint "trigger_executions_trigger_id_foreign";`);

    this.addSql(`drop table if exists "calendar_items" cascade;`);
    this.addSql(`drop table if exists "triggers" cascade;`);
    this.addSql(`drop table if exists "trigger_executions" cascade;`);
    this.addSql(`drop table if exists "calendar_feeds" cascade;`);

    this.addSql(`drop type "calendar_item_type";`);
    this.addSql(`drop type "calendar_item_status";`);
    this.addSql(`drop type "trigger_type";`);
    this.addSql(`drop type "missed_fire_policy";`);
    this.addSql(`drop type "trigger_execution_status";`);
  }
}
