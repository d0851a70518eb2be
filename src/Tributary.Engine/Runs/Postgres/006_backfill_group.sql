-- A backfill of a partitioned group runs that group's partitions (NULL: the pipeline's).
ALTER TABLE "backfills" ADD COLUMN "group_name" text;
