-- Writes the prototype's small tables (and ours' channel credit from the file's attribution table) as CSV for solve.py.
ATTACH '{{touches}}' AS t (READ_ONLY);
CREATE TEMP TABLE k AS SELECT channel, campaign, (row_number() OVER (ORDER BY channel, campaign) - 1)::INT AS key, (dense_rank() OVER (ORDER BY channel) - 1)::INT AS bit FROM (SELECT DISTINCT channel, coalesce(CAST(campaign AS VARCHAR), '') campaign FROM t.paths WHERE channel IS NOT NULL);
CREATE TEMP TABLE set_trans AS SELECT prev, bit, count(*) n FROM (SELECT k.bit, lag(k.bit, 1, -1) OVER (PARTITION BY t.path_id ORDER BY t.position) prev FROM t.paths t JOIN k ON k.channel = t.channel AND k.campaign = coalesce(CAST(t.campaign AS VARCHAR), '') WHERE t.path_id IS NOT NULL) GROUP BY ALL;
CREATE TEMP TABLE set_paths AS SELECT mask, lastbit, c, count(*) n, sum(v) v FROM (SELECT bool_or(t.converted) c, CASE WHEN bool_or(t.converted) THEN max(t.conversion_value) ELSE 0 END v, bit_or(1::BIGINT << k.bit) mask, arg_max(k.bit, t.position) lastbit FROM t.paths t JOIN k ON k.channel = t.channel AND k.campaign = coalesce(CAST(t.campaign AS VARCHAR), '') WHERE t.path_id IS NOT NULL GROUP BY t.path_id) GROUP BY ALL;
COPY set_trans TO '{{dir}}/trans.csv';
COPY set_paths TO '{{dir}}/paths.csv';
COPY (SELECT DISTINCT channel, bit FROM k ORDER BY bit) TO '{{dir}}/bits.csv';
COPY (SELECT model, channel, conversions, value FROM t.attribution ORDER BY 1, 2) TO '{{dir}}/ours.csv';
