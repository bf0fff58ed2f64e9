import { Migration } from '@mikro-orm/migrations';

export class Migration20261122093303 extends Migration {
  override name = 'Migration20261122093303';

  override up(): void | Promise<void> {
    this.addSql(`create extension if not exists vector;`);
    this.addSql(`create type "user_role" as enum ('ADMIN', 'MEMBER');`);
    this.addSql(`create type "notification_audience" as enum ('USER', 'ADMINS');`);
    this.addSql(`create type "notification_severity" as enum ('INFO', 'WARNING', 'ERROR');`);
    this.addSql(`create type "notification_delivery_status" as enum ('NOT_REQUIRED', 'PENDING', 'SENT', 'FAILED');`);
    this.addSql(
      `create table "workspaces" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "name" varchar(200) not null, "invite_token" varchar(64) not null, "settings" jsonb not null default '{}', primary key ("id"));`,
    );
    this.addSql(`alter table "workspaces" add constraint "workspaces_invite_token_unique" unique ("invite_token");`);

    this.addSql(
      `create table "users" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "email" varchar(320) not null, "password_hash" text not null, "display_name" varchar(200) not null, "role" "user_role" not null default 'MEMBER', "last_login_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "users_workspace_id_index" on "users" ("workspace_id");`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(
      `create table "sessions" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "refresh_token_hash" varchar(64) not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, "user_agent" text null, "ip_address" inet null, primary key ("id"));`,
    );
    this.addSql(`create index "sessions_workspace_id_index" on "sessions" ("workspace_id");`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(
      `alter table "sessions" add constraint "sessions_refresh_token_hash_unique" unique ("refresh_token_hash");`,
    );
    this.addSql(`create index "sessions_expires_at_index" on "sessions" ("expires_at");`);

    this.addSql(
      `create table "notifications" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "audience" "notification_audience" not null default 'USER', "recipient_id" uuid null, "severity" "notification_severity" not null default 'INFO', "title" varchar(200) not null, "message" text not null, "link" text null, "source_type" varchar(100) null, "source_id" uuid null, "data" jsonb not null default '{}', "read" boolean not null default false, "read_at" timestamptz null, "read_by_id" uuid null, "delivery_status" "notification_delivery_status" not null default 'NOT_REQUIRED', "delivery_error" text null, "delivered_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `create index "notifications_recipient_id_read_created_at_index" on "notifications" ("recipient_id", "read", "created_at");`,
    );
    this.addSql(
      `create index "notifications_workspace_id_read_created_at_index" on "notifications" ("workspace_id", "read", "created_at");`,
    );

    this.addSql(
      `create table "audit_logs" ("id" uuid not null, "workspace_id" uuid null, "user_id" uuid null, "action" varchar(100) not null, "target_type" varchar(100) null, "target_id" uuid null, "success" boolean not null, "error_message" text null, "ip_address" inet null, "user_agent" text null, "duration_ms" int null, "details" jsonb null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "audit_logs_user_id_index" on "audit_logs" ("user_id");`);
    this.addSql(`create index "audit_logs_action_index" on "audit_logs" ("action");`);
    this.addSql(`create index "audit_logs_target_id_index" on "audit_logs" ("target_id");`);
    this.addSql(`create index "audit_logs_created_at_index" on "audit_logs" ("created_at");`);
    this.addSql(
      `create index "audit_logs_workspace_id_created_at_index" on "audit_logs" ("workspace_id", "created_at");`,
    );

    this.addSql(
      `create table "activity_events" ("id" uuid not null, "workspace_id" uuid not null, "user_id" uuid null, "type" varchar(100) not null, "message" text null, "payload" jsonb not null default '{}', "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "activity_events_type_index" on "activity_events" ("type");`);
    this.addSql(
      `create index "activity_events_user_id_created_at_index" on "activity_events" ("user_id", "created_at");`,
    );
    this.addSql(
      `create index "activity_events_workspace_id_created_at_index" on "activity_events" ("workspace_id", "created_at");`,
    );

    this.addSql(
      `alter table "users" add constraint "users_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "sessions" add constraint "sessions_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "notifications" add constraint "notifications_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "notifications" add constraint "notifications_recipient_id_foreign" foreign key ("recipient_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "notifications" add constraint "notifications_read_by_id_foreign" foreign key ("read_by_id") references "users" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "audit_logs" add constraint "audit_logs_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "audit_logs" add constraint "audit_logs_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "activity_events" add constraint "activity_events_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "activity_events" add constraint "activity_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
  }
}
