import { Migration } from '@mikro-orm/migrations';

export class Migration20261122113430 extends Migration {
  override name = 'Migration20261122113430';

  override up(): void | Promise<void> {
    this.addSql(
      `create type "workflow_status" as enum ('DRAFT', 'PROCESSING', 'ACTIVE', 'NEEDS_REVIEW', 'BROKEN', 'ARCHIVED');`,
    );
    this.addSql(`create type "step_action" as enum ('CLICK', 'INPUT_COMMIT', 'SELECT_CHANGE', 'SUBMIT', 'NAVIGATE');`);
    this.addSql(`create type "run_status" as enum ('SUCCESS', 'FAILURE', 'HEALED');`);
    this.addSql(
      `create table "workflows" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "created_by_id" uuid null, "name" varchar(200) not null, "description" text null, "starting_url" text null, "tags" jsonb not null default '[]', "status" "workflow_status" not null default 'DRAFT', "success_rate" double precision not null default 0, "run_count" int not null default 0, "success_count" int not null default 0, "failure_count" int not null default 0, "healed_count" int not null default 0, "consecutive_failures" int not null default 0, "last_run_at" timestamptz null, "last_successful_run_at" timestamptz null, "last_failed_run_at" timestamptz null, "health_since" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "workflows_created_by_id_index" on "workflows" ("created_by_id");`);
    this.addSql(`create index "workflows_status_index" on "workflows" ("status");`);
    this.addSql(`create index "workflows_tags_index" on "workflows" using gin ("tags");`);
    this.addSql(
      `create index "workflows_workspace_id_created_at_index" on "workflows" ("workspace_id", "created_at");`,
    );

    this.addSql(
      `create table "screenshots" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "workflow_id" uuid not null, "sha256" varchar(64) not null, "storage_key" varchar(300) not null, "storage_url" text null, "file_size" int not null, "width" int null, "height" int null, "format" varchar(10) not null, primary key ("id"));`,
    );
    this.addSql(`create index "screenshots_workflow_id_index" on "screenshots" ("workflow_id");`);
    this.addSql(
      `alter table "screenshots" add constraint "screenshots_workspace_id_sha256_unique" unique ("workspace_id", "sha256");`,
    );

    this.addSql(
      `create table "steps" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "workflow_id" uuid not null, "screenshot_id" uuid null, "step_number" int not null, "recorded_at" timestamptz null, "action" "step_action" not null, "selectors" jsonb not null, "element_meta" jsonb not null default '{}', "page_context" jsonb not null default '{}', "action_data" jsonb null, "dom_context" jsonb null, "label" text null, "instruction" text null, "ai_confidence" double precision null, "ai_model" varchar(100) null, "ai_generated_at" timestamptz null, "label_edited" boolean not null default false, "instruction_edited" boolean not null default false, "edited_by_id" uuid null, "edited_at" timestamptz null, "healed_selectors" jsonb null, "healed_at" timestamptz null, "healing_confidence" double precision null, "healing_method" varchar(50) null, "heal_count" int not null default 0, primary key ("id"));`,
    );
    this.addSql(`create index "steps_workspace_id_index" on "steps" ("workspace_id");`);
    this.addSql(`create index "steps_screenshot_id_index" on "steps" ("screenshot_id");`);
    this.addSql(`create index "steps_edited_by_id_index" on "steps" ("edited_by_id");`);
    this.addSql(
      `alter table "steps" add constraint "steps_workflow_id_step_number_unique" unique ("workflow_id", "step_number") deferrable initially deferred;`,
    );

    this.addSql(
      `create table "health_logs" ("id" uuid not null, "workspace_id" uuid not null, "workflow_id" uuid not null, "step_id" uuid null, "user_id" uuid null, "status" "run_status" not null, "error_type" varchar(100) null, "error_message" text null, "healed_selectors" jsonb null, "healing_confidence" double precision null, "deterministic_score" int null, "ai_confidence" double precision null, "candidates_evaluated" int null, "page_state_hash" varchar(128) null, "page_url" text null, "duration_ms" int null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "health_logs_workspace_id_index" on "health_logs" ("workspace_id");`);
    this.addSql(`create index "health_logs_step_id_index" on "health_logs" ("step_id");`);
    this.addSql(`create index "health_logs_user_id_index" on "health_logs" ("user_id");`);
    this.addSql(`create index "health_logs_status_index" on "health_logs" ("status");`);
    this.addSql(
      `create index "health_logs_workflow_id_created_at_index" on "health_logs" ("workflow_id", "created_at");`,
    );

    this.addSql(
      `alter table "workflows" add constraint "workflows_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "workflows" add constraint "workflows_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "screenshots" add constraint "screenshots_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "screenshots" add constraint "screenshots_workflow_id_foreign" foreign key ("workflow_id") references "workflows" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "steps" add constraint "steps_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "steps" add constraint "steps_workflow_id_foreign" foreign key ("workflow_id") references "workflows" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "steps" add constraint "steps_screenshot_id_foreign" foreign key ("screenshot_id") references "screenshots" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "steps" add constraint "steps_edited_by_id_foreign" foreign key ("edited_by_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(`alter table "steps" add constraint "steps_step_number_check" check (step_number >= 1);`);

    this.addSql(
      `alter table "health_logs" add constraint "health_logs_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "health_logs" add constraint "health_logs_workflow_id_foreign" foreign key ("workflow_id") references "workflows" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "health_logs" add constraint "health_logs_step_id_foreign" foreign key ("step_id") references "steps" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "health_logs" add constraint "health_logs_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "screenshots" drop constraint "screenshots_workflow_id_foreign";`);
    this.addSql(`alter table "steps" drop constraint "steps_workflow_id_foreign";`);
    this.addSql(`alter table "health_logs" drop constraint "health_logs_workflow_id_foreign";`);
    this.addSql(`alter table "steps" drop constraint "steps_screenshot_id_foreign";`);
    this.addSql(`alter table "health_logs" drop constraint "health_logs_step_id_foreign";`);

    this.addSql(`drop table if exists "workflows" cascade;`);
    this.addSql(`drop table if exists "screenshots" cascade;`);
    this.addSql(`drop table if exists "steps" cascade;`);
    this.addSql(`drop table if exists "health_logs" cascade;`);

    this.addSql(`drop type "workflow_status";`);
    this.addSql(`drop type "step_action";`);
    this.addSql(`drop type "run_status";`);
  }
}
