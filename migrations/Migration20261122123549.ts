import { Migration } from '@mikro-orm/migrations';

export class Migration20261122123549 extends Migration {
  override name = 'Migration20261122123549';

  override up(): void | Promise<void> {
    this.addSql(`create type "quest_provider" as enum ('GITHUB', 'FITBIT');`);
    this.addSql(`create type "integration_status" as enum ('PENDING', 'CONNECTED', 'ERROR', 'DISCONNECTED');`);
    this.addSql(`create type "raw_event_status" as enum ('PROCESSED', 'IGNORED', 'FAILED');`);
    this.addSql(
      `create type "quest_event_kind" as enum ('COMMIT', 'PULL_REQUEST_MERGED', 'ISSUE_CLOSED', 'STEPS', 'ACTIVE_MINUTES', 'SLEEP');`,
    );
    this.addSql(
      `create type "goal_kind" as enum ('COMMITS', 'PULL_REQUESTS', 'STEPS', 'ACTIVE_MINUTES', 'SLEEP_HOURS');`,
    );
    this.addSql(`create type "goal_period" as enum ('DAILY', 'WEEKLY');`);
    this.addSql(
      `create table "pets" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "name" varchar(100) not null, "species" varchar(50) not null, "state_json" jsonb not null, primary key ("id"));`,
    );
    this.addSql(`create index "pets_workspace_id_index" on "pets" ("workspace_id");`);
    this.addSql(`create index "pets_user_id_created_at_index" on "pets" ("user_id", "created_at");`);

    this.addSql(
      `create table "metrics_cache" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "key" varchar(200) not null, "value" jsonb not null, "version" int not null default 0, "computed_at" timestamptz not null, "expires_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "metrics_cache_workspace_id_index" on "metrics_cache" ("workspace_id");`);
    this.addSql(
      `alter table "metrics_cache" add constraint "metrics_cache_user_id_key_unique" unique ("user_id", "key");`,
    );

    this.addSql(
      `create table "integrations" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "provider" "quest_provider" not null, "status" "integration_status" not null default 'PENDING', "account_id" varchar(100) null, "account_name" varchar(255) null, "scopes" text[] not null default '{}', "encrypted_access_token" text null, "encrypted_refresh_token" text null, "token_expires_at" timestamptz null, "encrypted_webhook_secret" text null, "oauth_nonce" varchar(64) null, "time_zone" varchar(64) null, "connected_at" timestamptz null, "last_synced_at" timestamptz null, "next_sync_at" timestamptz null, "last_error" text null, primary key ("id"));`,
    );
    this.addSql(`create index "integrations_workspace_id_index" on "integrations" ("workspace_id");`);
    this.addSql(
      `create index "integrations_status_token_expires_at_index" on "integrations" ("status", "token_expires_at");`,
    );
    this.addSql(
      `create index "integrations_provider_status_next_sync_at_index" on "integrations" ("provider", "status", "next_sync_at");`,
    );
    this.addSql(
      `alter table "integrations" add constraint "integrations_user_id_provider_unique" unique ("user_id", "provider");`,
    );

    this.addSql(
      `create table "raw_events" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "integration_id" uuid not null, "provider" "quest_provider" not null, "event_type" varchar(100) not null, "delivery_id" varchar(100) not null, "payload" jsonb not null, "status" "raw_event_status" not null, "error" text null, "note" varchar(300) null, "event_count" int not null default 0, "received_at" timestamptz not null, "processed_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "raw_events_workspace_id_index" on "raw_events" ("workspace_id");`);
    this.addSql(`create index "raw_events_status_index" on "raw_events" ("status");`);
    this.addSql(
      `create index "raw_events_user_id_received_at_id_index" on "raw_events" ("user_id", "received_at", "id");`,
    );
    this.addSql(
      `alter table "raw_events" add constraint "raw_events_integration_id_delivery_id_unique" unique ("integration_id", "delivery_id");`,
    );

    this.addSql(
      `create table "quest_events" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "integration_id" uuid not null, "raw_event_id" uuid null, "provider" "quest_provider" not null, "kind" "quest_event_kind" not null, "external_id" varchar(200) not null, "value" int not null, "title" varchar(500) null, "url" text null, "repository" varchar(255) null, "occurred_at" timestamptz not null, "xp" int not null default 0, "data" jsonb not null default '{}', primary key ("id"));`,
    );
    this.addSql(`create index "quest_events_workspace_id_index" on "quest_events" ("workspace_id");`);
    this.addSql(`create index "quest_events_raw_event_id_index" on "quest_events" ("raw_event_id");`);
    this.addSql(
      `create index "quest_events_user_id_kind_occurred_at_index" on "quest_events" ("user_id", "kind", "occurred_at");`,
    );
    this.addSql(
      `create index "quest_events_user_id_occurred_at_id_index" on "quest_events" ("user_id", "occurred_at", "id");`,
    );
    this.addSql(
      `alter table "quest_events" add constraint "quest_events_identity_unique" unique ("integration_id", "kind", "external_id");`,
    );

    this.addSql(
      `create table "goals" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "kind" "goal_kind" not null, "target" int not null, "period" "goal_period" not null, "time_zone" varchar(64) not null default 'UTC', "is_active" boolean not null default true, "streak" int not null default 0, "best_streak" int not null default 0, "streak_period_start" timestamptz null, "last_met_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "goals_workspace_id_index" on "goals" ("workspace_id");`);
    this.addSql(`create index "goals_user_id_created_at_index" on "goals" ("user_id", "created_at");`);

    this.addSql(
      `create table "goal_completions" ("id" uuid not null, "workspace_id" uuid not null, "user_id" uuid not null, "goal_id" uuid not null, "period" "goal_period" not null, "period_start" timestamptz not null, "period_end" timestamptz not null, "value" double precision not null, "bonus_xp" int not null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "goal_completions_workspace_id_index" on "goal_completions" ("workspace_id");`);
    this.addSql(`create index "goal_completions_user_id_index" on "goal_completions" ("user_id");`);
    this.addSql(
      `alter table "goal_completions" add constraint "goal_completions_goal_id_period_period_start_unique" unique ("goal_id", "period", "period_start");`,
    );

    this.addSql(
      `alter table "pets" add constraint "pets_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "pets" add constraint "pets_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "pets" add constraint "pets_state_bounds_check" check ((state_json->>'energy')::numeric >= 0 and (state_json->>'energy')::numeric <= 100 and (state_json->>'hunger')::numeric >= 0 and (state_json->>'hunger')::numeric <= 100 and (state_json->>'level')::numeric >= 1 and (state_json->>'xp')::numeric >= 0);`,
    );

    this.addSql(
      `alter table "metrics_cache" add constraint "metrics_cache_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "metrics_cache" add constraint "metrics_cache_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "integrations" add constraint "integrations_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "integrations" add constraint "integrations_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "raw_events" add constraint "raw_events_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "raw_events" add constraint "raw_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "raw_events" add constraint "raw_events_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "quest_events" add constraint "quest_events_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "quest_events" add constraint "quest_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "quest_events" add constraint "quest_events_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "quest_events" add constraint "quest_events_raw_event_id_foreign" foreign key ("raw_event_id") references "raw_events" ("id") on delete set null;`,
    );
    this.addSql(`alter table "quest_events" add constraint "quest_events_value_check" check (value >= 0 and xp >= 0);`);

    this.addSql(
      `alter table "goals" add constraint "goals_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "goals" add constraint "goals_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "goals" add constraint "goals_streak_check" check (streak >= 0 and best_streak >= streak);`,
    );
    this.addSql(`alter table "goals" add constraint "goals_target_check" check (target > 0);`);

    this.addSql(
      `alter table "goal_completions" add constraint "goal_completions_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "goal_completions" add constraint "goal_completions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "goal_completions" add constraint "goal_completions_goal_id_foreign" foreign key ("goal_id") references "goals" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "raw_events" drop constraint "raw_events_integration_id_foreign";`);
    this.addSql(`alter table "quest_events" drop constraint "quest_events_integration_id_foreign";`);
    this.addSql(`alter table "quest_events" drop constraint "quest_events_raw_event_id_foreign";`);
    this.addSql(`alter table "goal_completions" drop constraint "goal_completions_goal_id_foreign";`);

    this.addSql(`drop table if exists "pets" cascade;`);
    this.addSql(`drop table if exists "metrics_cache" cascade;`);
    this.addSql(`drop table if exists "integrations" cascade;`);
    this.addSql(`drop table if exists "raw_events" cascade;`);
    this.addSql(`drop table if exists "quest_events" cascade;`);
    this.addSql(`drop table if exists "goals" cascade;`);
    this.addSql(`drop table if exists "goal_completions" cascade;`);

    this.addSql(`drop type "quest_provider";`);
    this.addSql(`drop type "integration_status";`);
    this.addSql(`drop type "raw_event_status";`);
    this.addSql(`drop type "quest_event_kind";`);
    this.addSql(`drop type "goal_kind";`);
    this.addSql(`drop type "goal_period";`);
  }
}
