-- Run history: runs, their steps, events, materializations and check results.
CREATE TABLE "runs" ("run_id" text PRIMARY KEY, "pipeline" text NOT NULL, "status" text NOT NULL, "trigger" text NOT NULL,
    "selection" text, "started_at" timestamptz NOT NULL, "ended_at" timestamptz, "error" text, "pid" integer NOT NULL,
    "partition_key" text, "host" text NOT NULL);
CREATE INDEX "runs_pipeline" ON "runs" ("pipeline", "started_at");
CREATE INDEX "runs_partition" ON "runs" ("pipeline", "partition_key", "started_at");
CREATE INDEX "runs_started" ON "runs" ("started_at" DESC, "run_id" DESC);
CREATE TABLE "steps" ("run_id" text NOT NULL, "asset" text NOT NULL, "ordinal" integer NOT NULL, "component_type" text NOT NULL,
    "status" text NOT NULL, "attempts" integer NOT NULL, "started_at" timestamptz, "ended_at" timestamptz, "error" text,
    PRIMARY KEY ("run_id", "asset"));
CREATE TABLE "events" ("id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "run_id" text NOT NULL, "at" timestamptz NOT NULL,
    "kind" text NOT NULL, "asset" text, "message" text NOT NULL);
CREATE INDEX "events_run" ON "events" ("run_id", "id");
CREATE TABLE "materializations" ("id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "run_id" text NOT NULL, "asset" text NOT NULL,
    "at" timestamptz NOT NULL, "row_count" bigint NOT NULL, "columns_json" text NOT NULL, "duration_ms" bigint NOT NULL,
    "metadata_json" text NOT NULL, "step" text, "output" text, "role" text);
CREATE INDEX "materializations_asset" ON "materializations" ("asset", "id");
CREATE INDEX "materializations_run" ON "materializations" ("run_id", "id");
CREATE TABLE "check_results" ("id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "run_id" text NOT NULL, "asset" text NOT NULL,
    "check_name" text NOT NULL, "passed" boolean NOT NULL, "blocking" boolean NOT NULL, "detail" text NOT NULL, "at" timestamptz NOT NULL);
CREATE INDEX "check_results_run" ON "check_results" ("run_id", "id");
