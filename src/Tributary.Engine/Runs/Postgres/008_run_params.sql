-- The template params each run was loaded with, as JSON (NULL in records written before they were kept).
ALTER TABLE "runs" ADD COLUMN "params_json" text;
