-- The daemon's state: cursors, tick history, the run queue and backfills.
CREATE TABLE "cursors" ("name" text PRIMARY KEY, "value" text NOT NULL, "updated_at" timestamptz NOT NULL);
CREATE TABLE "ticks" ("id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "kind" text NOT NULL, "pipeline" text NOT NULL,
    "name" text NOT NULL, "at" timestamptz NOT NULL, "status" text NOT NULL, "reason" text NOT NULL, "queue_id" text);
CREATE INDEX "ticks_pipeline" ON "ticks" ("pipeline", "id");
CREATE TABLE "queue" ("queue_id" text PRIMARY KEY, "pipeline" text NOT NULL, "partition_key" text, "trigger" text NOT NULL,
    "priority" integer NOT NULL, "params_json" text NOT NULL, "backfill_id" text, "state" text NOT NULL, "run_id" text,
    "enqueued_at" timestamptz NOT NULL, "attempt" integer NOT NULL, "selection" text);
CREATE INDEX "queue_state" ON "queue" ("state", "priority", "enqueued_at");
CREATE TABLE "backfills" ("backfill_id" text PRIMARY KEY, "pipeline" text NOT NULL, "status" text NOT NULL, "concurrency" integer NOT NULL,
    "params_json" text NOT NULL, "created_at" timestamptz NOT NULL, "ended_at" timestamptz);
CREATE TABLE "backfill_partitions" ("backfill_id" text NOT NULL, "partition_key" text NOT NULL, "ordinal" integer NOT NULL,
    "status" text NOT NULL, "run_id" text, PRIMARY KEY ("backfill_id", "partition_key"));
