import { Migration } from '@mikro-orm/migrations';

export class Migration20261122111034 extends Migration {
  override name = 'Migration20261122111034';

  override up(): void | Promise<void> {
    this.addSql(
      `create type "ha_connection_status" as enum ('DISCONNECTED', 'CONNECTING', 'CONNECTED', 'ERROR', 'AUTH_FAILED');`,
    );
    this.addSql(`create type "ha_metric_type" as enum ('LATENCY', 'UPTIME', 'ERROR_RATE', 'EVENT_RATE');`);
    this.addSql(
      `create table "ha_connections" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "workspace_id" uuid not null, "user_id" uuid not null, "name" varchar(255) not null, "url" varchar(500) not null, "encrypted_token" text not null, "status" "ha_connection_status" not null default 'DISCONNECTED', "home_assistant_version" varchar(50) null, "supported_features" text[] null, "event_types" text[] not null default '{state_changed}', "retention_days" int not null default 90, "is_active" boolean not null default true, "last_connected_at" timestamptz null, "last_seen_at" timestamptz null, "last_error" text null, "connection_health" jsonb null, "holder" varchar(100) null, "held_until" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "ha_connections_workspace_id_index" on "ha_connections" ("workspace_id");`);
    this.addSql(`create index "ha_connections_user_id_index" on "ha_connections" ("user_id");`);
    this.addSql(`create index "ha_connections_status_index" on "ha_connections" ("status");`);
    this.addSql(`create index "ha_connections_updated_at_index" on "ha_connections" ("updated_at");`);
    this.addSql(
      `alter table "ha_connections" add constraint "ha_connections_user_id_url_unique" unique ("user_id", "url");`,
    );

    this.addSql(
      `create table "ha_events" ("id" uuid not null, "workspace_id" uuid not null, "connection_id" uuid not null, "event_type" varchar(100) not null, "entity_id" varchar(255) null, "old_state" text null, "new_state" text null, "attributes" jsonb null, "context_id" varchar(64) not null, "timestamp" timestamptz not null, "processed_at" timestamptz not null default now(), "embedding_vector" vector(1536) null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "ha_events_workspace_id_index" on "ha_events" ("workspace_id");`);
    this.addSql(`create index "ha_events_unembedded_index" on "ha_events" ("id") where "embedding_vector" is null;`);
    this.addSql(
      `create unique index "ha_events_identity_unique" on "ha_events" ("connection_id", "context_id", "event_type", "entity_id") nulls not distinct;`,
    );
    this.addSql(`create index "ha_events_timestamp_index" on "ha_events" ("timestamp");`);
    this.addSql(`create index "ha_events_event_type_index" on "ha_events" ("event_type");`);
    this.addSql(
      `create index "ha_events_connection_id_entity_id_timestamp_index" on "ha_events" ("connection_id", "entity_id", "timestamp");`,
    );
    this.addSql(
      `create index "ha_events_connection_id_timestamp_id_index" on "ha_events" ("connection_id", "timestamp", "id");`,
    );

    this.addSql(
      `create table "ha_connection_metrics" ("id" uuid not null, "workspace_id" uuid not null, "connection_id" uuid not null, "metric_type" "ha_metric_type" not null, "metric_value" numeric(10,4) not null, "timestamp" timestamptz not null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "ha_connection_metrics_workspace_id_index" on "ha_connection_metrics" ("workspace_id");`);
    this.addSql(`create index "ha_connection_metrics_timestamp_index" on "ha_connection_metrics" ("timestamp");`);
    this.addSql(
      `create index "ha_connection_metrics_connection_id_metric_type_timestamp_index" on "ha_connection_metrics" ("connection_id", "metric_type", "timestamp");`,
    );

    // Similarity search: HNSW where pgvector has it (0.5.0 and later), the IVFFlat index otherwise.
    this.addSql(`do $$ begin
      if (select string_to_array(extversion, '.')::int[] >= '{0,5,0}' from pg_extension where extname = 'vector') then
        create index "ha_events_embedding_index" on "ha_events" using hnsw ("embedding_vector" vector_cosine_ops);
      else
        create index "ha_events_embedding_index" on "ha_events" using ivfflat ("embedding_vector" vector_cosine_ops) with (lists = 100);
      end if;
    end $$;`);

    this.addSql(`alter type "trigger_type" add value if not exists 'HA_STATE' after 'NFC';`);
    this.addSql(`alter table "triggers" add "ha_entity_key" varchar(300) null;`);
    this.addSql(`create index "triggers_ha_entity_key_index" on "triggers" ("ha_entity_key");`);

    this.addSql(
      `alter table "ha_connections" add constraint "ha_connections_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "ha_connections" add constraint "ha_connections_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "ha_events" add constraint "ha_events_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "ha_events" add constraint "ha_events_connection_id_foreign" foreign key ("connection_id") references "ha_connections" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "ha_connection_metrics" add constraint "ha_connection_metrics_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "ha_connection_metrics" add constraint "ha_connection_metrics_connection_id_foreign" foreign key ("connection_id") references "ha_connections" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ha_events" drop constraint "ha_events_connection_id_foreign";`);
    this.addSql(`alter table "ha_connection_metrics" drop constraint "ha_connection_metrics_connection_id_foreign";`);

    this.addSql(`drop index if exists "ha_events_embedding_index";`);
    this.addSql(`drop table if exists "ha_connections" cascade;`);
    this.addSql(`drop table if exists "ha_events" cascade;`);
    this.addSql(`drop table if exists "ha_connection_metrics" cascade;`);

    this.addSql(`drop index "triggers_ha_entity_key_index";`);
    this.addSql(`alter table "triggers" drop column "ha_entity_key";`);

    this.addSql(`drop type "ha_connection_status";`);
    this.addSql(`drop type "ha_metric_type";`);
  }
}
