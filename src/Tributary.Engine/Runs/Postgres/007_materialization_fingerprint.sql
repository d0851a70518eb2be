-- The definition fingerprint of the step that wrote each table (NULL in records written before it was kept).
ALTER TABLE "materializations" ADD COLUMN "fingerprint" text;
