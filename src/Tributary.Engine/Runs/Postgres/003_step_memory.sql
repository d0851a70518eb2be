-- Each step's peak resident memory of the process while it ran (bytes).
ALTER TABLE "steps" ADD COLUMN "peak_rss_bytes" bigint;
