-- Attempts of (asset, partition) steps placed on 'trib worker' processes. Each attempt takes the next epoch of its
-- partition, which fences its warehouse commit: an older attempt that wakes up after a newer one started cannot commit.
CREATE TABLE "attempt_epochs" ("asset" text NOT NULL, "partition_key" text NOT NULL, "epoch" bigint NOT NULL,
    PRIMARY KEY ("asset", "partition_key"));
CREATE TABLE "attempts" ("asset" text NOT NULL, "partition_key" text NOT NULL, "epoch" bigint NOT NULL, "run_id" text NOT NULL,
    "worker" text NOT NULL, "status" text NOT NULL, "started_at" timestamptz NOT NULL, "ended_at" timestamptz, "error" text,
    PRIMARY KEY ("asset", "partition_key", "epoch"));
CREATE INDEX "attempts_run" ON "attempts" ("run_id");
CREATE INDEX "attempts_worker" ON "attempts" ("worker", "status");
