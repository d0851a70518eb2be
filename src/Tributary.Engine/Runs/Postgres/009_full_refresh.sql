-- Whether a run, or a queued one, is a full refresh (trib run --full-refresh): its stateful steps rebuild from nothing.
ALTER TABLE "runs" ADD COLUMN "full_refresh" boolean NOT NULL DEFAULT false;
ALTER TABLE "queue" ADD COLUMN "full_refresh" boolean NOT NULL DEFAULT false;
