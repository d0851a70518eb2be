using System.Globalization;
using Tributary.Analytics.Identity;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Identity;

/// <summary>
/// <c>identity.resolve</c> in the warehouse (PostgreSQL or DuckDB, engine differences through the dialect) without reading the graph into memory: identifiers and their
/// records become work tables, connected components are found by iterative minimum-label propagation with pointer
/// jumping (each round every node takes the least label of its neighbours, then the label of its label; Shiloach &amp;
/// Vishkin 1982, "An O(log n) parallel connectivity algorithm", as used for MapReduce by Kiveris et al. 2014,
/// "Connected Components in MapReduce and Beyond"), so a long path settles in O(log n) rounds rather than n. Each round
/// is two set-based UPDATEs, no recursive CTE, so it can run where recursion across shards cannot (Citus).
/// <para>
/// Node numbers follow the in-memory graph's order (first seen, type priority, type, value), so the least label of a
/// component is its first node and profiles are numbered as <see cref="IdentityGraphBuilder"/> numbers them. Caps are
/// sequential decisions (which link came first) that label rounds cannot make: a component whose identifiers stay
/// within every cap links exactly as in memory (no link in it can be refused), and only the components that break a
/// cap have their records read and linked by <see cref="IdentityGraphBuilder"/>, whose split is written back. Returns
/// null when that split depends on repeated records (<see cref="IdentityGraphBuilder.RepeatsMatter"/>): the caller
/// then reads every row as before.
/// </para>
/// </summary>
internal sealed class IdentityLabelPropagation(IdentityParameters parameters, ComponentContext context, IReadOnlyCollection<string> blocked)
{
    private const string WhiteSpace = " \t\n\r\f\v";
    private readonly string _prefix = $"{WriteFence.TablePrefix}idlp_{Guid.NewGuid():N}"[..40];
    private readonly List<string> _tables = [];

    /// <summary>Counts of what was done, for the materialization's metadata.</summary>
    // A phone of up to three leading digits then one digit six times or more (PlaceholderIdentifiers.RepeatedDigits),
    // spelled out per digit: a back-reference is not in every engine's regular expressions.
    private const string RepeatedDigitsPattern = "^[0-9]{0,3}(0{6,}|1{6,}|2{6,}|3{6,}|4{6,}|5{6,}|6{6,}|7{6,}|8{6,}|9{6,})$";

    public sealed record Outcome(long Profiles, long Records, int Rounds, long CappedComponents, IReadOnlyList<ProfileMerge> Merges, IReadOnlyList<RefusedLink> Refused,
        string AssetSelect);

    private string Table(string name)
    {
        var table = $"{_prefix}_{name}";
        _tables.Add(table);
        return table;
    }

    /// <summary>Distinct combinations of identifier values over every input: what decides whether the graph is large.</summary>
    public static async Task<long> CombinationsAsync(IdentityParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var (w, d) = (context.Warehouse, context.Warehouse.Dialect);
        long total = 0;
        foreach (var input in context.Inputs)
        {
            var columns = Columns(p.Identifiers[input]);
            total += Convert.ToInt64(await w.ScalarAsync(
                $"SELECT count(*) FROM (SELECT 1 FROM {d.Quote(input)} GROUP BY {string.Join(", ", columns.Select(c => $"CAST({d.Quote(c)} AS VARCHAR)"))}) AS {d.Quote("g")}",
                null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        return total;
    }

    private static List<string> Columns(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>Builds the components in work tables; the caller writes <see cref="Outcome.AssetSelect"/> and then calls <see cref="DropAsync"/>.</summary>
    public async Task<Outcome?> RunAsync(string[] timeColumns, CancellationToken cancellationToken)
    {
        var (w, d) = (context.Warehouse, context.Warehouse.Dialect);
        var q = d.Quote;
        var (records, members, nodes, edges, labels, capped, split, ids) =
            (Table("records"), Table("members"), Table("nodes"), Table("edges"), Table("labels"), Table("capped"), Table("split"), Table("ids"));
        string Create(string table) => d.CreateWorkTable(q(table));
        async Task IndexAsync(string table, bool unique, params string[] columns)
        {
            foreach (var statement in d.IndexWorkTable(q(table), q($"{table}_key"), [.. columns.Select(q)], unique))
                await w.ExecuteAsync(statement, null, cancellationToken).ConfigureAwait(false);
        }

        // One record per distinct combination of an input's identifier values, as the in-memory read groups them; members
        // are its non-null values in column order, trimmed.
        await w.ExecuteAsync($"{Create(records)} (record BIGINT, source TEXT, source_order INT, first_t TIMESTAMP, last_t TIMESTAMP, occurrences BIGINT)", null, cancellationToken).ConfigureAwait(false);
        await w.ExecuteAsync($"{Create(members)} (record BIGINT, ordinal INT, identifier_type TEXT, identifier_value TEXT)", null, cancellationToken).ConfigureAwait(false);
        var inputs = context.Inputs.ToList();
        for (var k = 0; k < inputs.Count; k++)
        {
            var input = inputs[k];
            var columns = Columns(parameters.Identifiers[input]);
            var schema = await w.DescribeTableAsync(input, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"input table '{input}' does not exist.");
            var time = timeColumns.FirstOrDefault(c => schema.Find(c) is { Kind: DataKind.Timestamp or DataKind.Date });
            // Only a zoned type is read at UTC (PostgreSQL's plain type is "timestamp without time zone": a cast, which
            // depends on no session setting and so can be sent to a shard).
            var timeType = time is null ? "" : schema.Find(time)!.SqlType;
            var timeSql = time is null ? "CAST(NULL AS TIMESTAMP)"
                : timeType.Contains("WITH TIME ZONE", StringComparison.OrdinalIgnoreCase) || timeType.Equals("TIMESTAMPTZ", StringComparison.OrdinalIgnoreCase)
                ? $"({q(time)} AT TIME ZONE 'UTC')" : $"CAST({q(time)} AS TIMESTAMP)";
            var names = columns.Select((_, i) => q($"i{i}")).ToList();
            var grouped = Table($"g{k}");
            await w.ExecuteAsync(
                $"{Create(grouped)} AS SELECT {((long)k << 40).ToString(CultureInfo.InvariantCulture)} + row_number() OVER () AS record, {string.Join(", ", names)}, "
                + $"min({q("t")}) AS first_t, max({q("t")}) AS last_t, count(*) AS occurrences "
                + $"FROM (SELECT {string.Join(", ", columns.Select((c, i) => $"CAST({q(c)} AS VARCHAR) AS {names[i]}"))}, {timeSql} AS {q("t")} FROM {q(input)}) AS {q("r")} "
                + $"WHERE {string.Join(" OR ", names.Select(n => $"{n} IS NOT NULL"))} GROUP BY {string.Join(", ", names)}", null, cancellationToken).ConfigureAwait(false);
            await w.ExecuteAsync($"INSERT INTO {q(records)} SELECT record, {d.Parameter(1)}, {k}, first_t, last_t, occurrences FROM {q(grouped)}", [input], cancellationToken).ConfigureAwait(false);
            // One scan of the grouped table per identifier column: an unpivot every engine spells the same way.
            await w.ExecuteAsync(
                $"INSERT INTO {q(members)} SELECT record, ordinal, identifier_type, trim(BOTH {d.Literal(WhiteSpace)} FROM identifier_value) FROM ("
                + string.Join(" UNION ALL ", columns.Select((c, i) => $"SELECT record, {i} AS ordinal, {d.Literal(c)} AS identifier_type, {names[i]} AS identifier_value FROM {q(grouped)}"))
                + $") AS {q("v")} WHERE identifier_value IS NOT NULL", null, cancellationToken).ConfigureAwait(false);
            await w.ExecuteAsync($"DROP TABLE {q(grouped)}", null, cancellationToken).ConfigureAwait(false);
        }

        // Usable identifiers become nodes, numbered in the in-memory graph's node order (IdentityGraphBuilder.NodeOrder).
        // The blocked values and placeholder local parts are work tables, joined rather than bound as arrays.
        var (blockedValues, placeholders) = (Table("blocked"), Table("placeholders"));
        foreach (var (table, values) in new[] { (blockedValues, (IEnumerable<string>)blocked), (placeholders, PlaceholderIdentifiers.LocalPartList) })
            await w.ReplaceTableAsync(table, (b, ct) => b.CreateAndAppendAsync([("value", DataKind.Text)], values.Select(v => new object?[] { v }), ct), cancellationToken)
                .ConfigureAwait(false);
        var patterns = parameters.BlocklistPatterns.ToArray();
        var digits = d.RegexReplaceAll("u.identifier_value", "[^0-9]", "");
        // The type's rank in the priority list (its position, or the list's length), then the blocklist patterns: bound values.
        var rank = parameters.Priority.Count == 0 ? d.Parameter(1)
            : "CASE m.identifier_type " + string.Concat(parameters.Priority.Select((_, i) => $"WHEN {d.Parameter(2 + i)} THEN {i} ")) + $"ELSE {d.Parameter(1)} END";
        var usable = $"NOT EXISTS (SELECT 1 FROM {q(blockedValues)} AS b WHERE b.value = lower(u.identifier_value)) "
            + $"AND NOT (CASE WHEN strpos(u.identifier_value, '@') > 0 THEN EXISTS (SELECT 1 FROM {q(placeholders)} AS x "
            + $"WHERE x.value = lower(split_part(trim(BOTH {d.Literal(WhiteSpace)} FROM split_part(u.identifier_value, '@', 1)), '+', 1))) "
            + $"ELSE lower(u.identifier_type) LIKE '%phone%' AND {d.RegexReplaceAll(digits, RepeatedDigitsPattern, "")} = '' "
            + $"AND length({digits}) BETWEEN 7 AND 32 END)"
            + string.Concat(patterns.Select((_, i) => $" AND NOT {d.RegexMatchesIgnoringCase("u.identifier_value", d.Parameter(2 + parameters.Priority.Count + i))}"));
        await w.ExecuteAsync(
            $"{Create(nodes)} AS SELECT row_number() OVER (ORDER BY u.first_t ASC NULLS LAST, u.rank, {d.ByteOrder("u.identifier_type")}, {d.ByteOrder("u.identifier_value")}) AS node, "
            + "u.identifier_type, u.identifier_value, u.first_t, u.last_t, s.source, u.rank FROM ("
            + "SELECT m.identifier_type, m.identifier_value, min(r.first_t) AS first_t, max(r.last_t) AS last_t, "
            + $"min(r.source_order) AS source_order, {rank} AS rank "
            + $"FROM {q(members)} AS m JOIN {q(records)} AS r ON r.record = m.record GROUP BY m.identifier_type, m.identifier_value) AS u "
            // The first source in the inputs' order that holds the value (each input is one source, numbered by source_order).
            + $"JOIN (SELECT DISTINCT source_order, source FROM {q(records)}) AS s ON s.source_order = u.source_order WHERE {usable}",
            [parameters.Priority.Count, .. parameters.Priority, .. patterns], cancellationToken).ConfigureAwait(false);
        await IndexAsync(nodes, true, "identifier_type", "identifier_value").ConfigureAwait(false);
        await w.ExecuteAsync($"ALTER TABLE {q(members)} ADD COLUMN node BIGINT", null, cancellationToken).ConfigureAwait(false);
        await w.ExecuteAsync($"UPDATE {q(members)} AS m SET node = n.node FROM {q(nodes)} AS n WHERE n.identifier_type = m.identifier_type AND n.identifier_value = m.identifier_value",
            null, cancellationToken).ConfigureAwait(false);
        var recordCount = Convert.ToInt64(await w.ScalarAsync(
            $"SELECT CAST(coalesce(sum(occurrences), 0) AS BIGINT) FROM {q(records)} AS r WHERE EXISTS (SELECT 1 FROM {q(members)} AS m WHERE m.record = r.record AND m.node IS NOT NULL)",
            null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);

        // A star per record from its first node links the record's nodes as any spanning tree would; both directions stored.
        await w.ExecuteAsync(
            $"{Create(edges)} AS SELECT DISTINCT h.hub AS a, m.node AS b FROM {q(members)} AS m "
            + $"JOIN (SELECT record, min(node) AS hub FROM {q(members)} WHERE node IS NOT NULL GROUP BY record) AS h ON h.record = m.record WHERE m.node <> h.hub",
            null, cancellationToken).ConfigureAwait(false);
        await w.ExecuteAsync($"INSERT INTO {q(edges)} SELECT b, a FROM {q(edges)}", null, cancellationToken).ConfigureAwait(false);
        await IndexAsync(edges, false, "a").ConfigureAwait(false);
        await w.ExecuteAsync($"{Create(labels)} AS SELECT node, node AS label FROM {q(nodes)}", null, cancellationToken).ConfigureAwait(false);
        await IndexAsync(labels, true, "node").ConfigureAwait(false);

        // Labels only decrease and stay within the component; at the fixpoint neighbours agree and the label is the least node.
        var rounds = 0;
        while (true)
        {
            rounds++;
            var changed = await w.ExecuteAsync(
                $"UPDATE {q(labels)} AS l SET label = m.label FROM (SELECT e.a AS node, min(x.label) AS label FROM {q(edges)} AS e JOIN {q(labels)} AS x ON x.node = e.b GROUP BY e.a) AS m "
                + "WHERE l.node = m.node AND m.label < l.label", null, cancellationToken).ConfigureAwait(false);
            changed += await w.ExecuteAsync(
                $"UPDATE {q(labels)} AS l SET label = x.label FROM {q(labels)} AS x WHERE x.node = l.label AND x.label < l.label", null, cancellationToken).ConfigureAwait(false);
            if (changed == 0) break;
        }

        // Components holding more values of a capped type than its cap: linked in memory, link by link, as before.
        var caps = parameters.EffectiveCaps;
        if (caps.Count == 0)
            await w.ExecuteAsync($"{Create(capped)} (label BIGINT)", null, cancellationToken).ConfigureAwait(false);
        else
            await w.ExecuteAsync(
                $"{Create(capped)} AS SELECT DISTINCT x.label FROM (SELECT l.label, n.identifier_type, count(*) AS c FROM {q(labels)} AS l JOIN {q(nodes)} AS n ON n.node = l.node "
                + $"GROUP BY l.label, n.identifier_type) AS x JOIN (VALUES {string.Join(", ", caps.Select((_, i) => $"({d.Parameter(2 * i + 1)}, {d.Parameter(2 * i + 2)})"))}) AS cap(identifier_type, cap) "
                + "ON cap.identifier_type = x.identifier_type WHERE x.c > cap.cap",
                [.. caps.SelectMany(c => new object?[] { c.Key, (long)c.Value })], cancellationToken).ConfigureAwait(false);
        var cappedComponents = Convert.ToInt64(await w.ScalarAsync($"SELECT count(*) FROM {q(capped)}", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        IReadOnlyList<RefusedLink> refused = [];
        if (cappedComponents > 0)
        {
            var graph = new IdentityGraphBuilder(new IdentityOptions(caps, parameters.Priority));
            var buffer = new List<Identifier>();
            (long Record, string Source, DateTime? First, DateTime? Last, int Occurrences) current = (-1, "", null, null, 0);
            void Flush()
            {
                if (buffer.Count > 0) graph.Add(buffer.ToArray(), current.First, current.Last, current.Source, current.Occurrences);
                buffer.Clear();
            }
            await foreach (var row in w.StreamRecordsAsync(
                $"SELECT m.record, r.source, r.first_t, r.last_t, r.occurrences, m.identifier_type, m.identifier_value FROM {q(members)} AS m "
                + $"JOIN {q(labels)} AS l ON l.node = m.node JOIN {q(capped)} AS c ON c.label = l.label JOIN {q(records)} AS r ON r.record = m.record ORDER BY m.record, m.ordinal",
                null, cancellationToken).ConfigureAwait(false))
            {
                var record = row.GetInt64(0);
                if (record != current.Record)
                {
                    Flush();
                    current = (record, row.GetString(1), row.IsDBNull(2) ? null : row.GetDateTime(2), row.IsDBNull(3) ? null : row.GetDateTime(3),
                        checked((int)row.GetInt64(4)));
                }
                buffer.Add(new Identifier(row.GetString(5), row.GetString(6)));
            }
            Flush();
            var linked = graph.Link();
            if (graph.RepeatsMatter) return null;
            refused = linked.Refused;
            await w.ReplaceTableAsync(split, (b, ct) => b.CreateAndAppendAsync(
                [("identifier_type", DataKind.Text), ("identifier_value", DataKind.Text), ("part", DataKind.Text)],
                linked.Assignments().Select(a => new object?[] { a.Identifier.Type, a.Identifier.Value, a.ProfileId }), ct), cancellationToken).ConfigureAwait(false);
            await w.ExecuteAsync(
                $"UPDATE {q(labels)} AS l SET label = s.label FROM (SELECT n.node, min(n.node) OVER (PARTITION BY p.part) AS label FROM {q(split)} AS p "
                + $"JOIN {q(nodes)} AS n ON n.identifier_type = p.identifier_type AND n.identifier_value = p.identifier_value) AS s WHERE l.node = s.node",
                null, cancellationToken).ConfigureAwait(false);
        }

        // Stable ids as IdentityGraphBuilder.Assign gives them: last run's id goes to the first component (by label) holding
        // one of its identifiers; a component keeps the oldest id it claimed (one of another prefix first: it was given under an
        // earlier setting) and the others merge into it; components
        // with none take new numbers after the highest number of the prefix seen, in order of label.
        // The prefix is bound (parameter 1 of each statement using it); its length, a number, is written in.
        var prefix = parameters.ProfilePrefix.Length;
        var sequence = $"CASE WHEN left(profile_id, {prefix}) = {d.Parameter(1)} AND length(profile_id) BETWEEN {prefix + 1} AND {prefix + 18} "
            + $"AND trim(LEADING '0123456789' FROM substr(profile_id, {prefix + 1})) = '' THEN CAST(substr(profile_id, {prefix + 1}) AS BIGINT) END";
        var previous = await w.DescribeTableAsync(context.Asset, cancellationToken).ConfigureAwait(false) is not null;
        var claims = previous
            ? $"SELECT a.profile_id, min(l.label) AS label, min({sequence.Replace("profile_id", "a.profile_id", StringComparison.Ordinal)}) AS seq FROM {q(context.Asset)} AS a "
              + $"JOIN {q(nodes)} AS n ON n.identifier_type = a.identifier_type AND n.identifier_value = a.identifier_value JOIN {q(labels)} AS l ON l.node = n.node GROUP BY a.profile_id"
            : "SELECT CAST(NULL AS TEXT) AS profile_id, CAST(NULL AS BIGINT) AS label, CAST(NULL AS BIGINT) AS seq WHERE false";
        var maxSequence = previous
            ? Convert.ToInt64(await w.ScalarAsync($"SELECT coalesce(max({sequence}), 0) FROM {q(context.Asset)}", [parameters.ProfilePrefix], cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture)
            : 0;
        var claimsTable = Table("claims");
        await w.ExecuteAsync($"{Create(claimsTable)} AS {claims}", previous ? [parameters.ProfilePrefix] : null, cancellationToken).ConfigureAwait(false);
        await w.ExecuteAsync(
            $"{Create(ids)} AS SELECT c.label, coalesce(k.profile_id, CAST({d.Parameter(2)} AS {d.TypeName(DataKind.Text)}) || CASE WHEN length(CAST(c.n AS TEXT)) >= 9 THEN CAST(c.n AS TEXT) ELSE lpad(CAST(c.n AS TEXT), 9, '0') END) AS profile_id "
            + $"FROM (SELECT label, {d.Parameter(1)} + sum(CASE WHEN claimed THEN 0 ELSE 1 END) OVER (ORDER BY label) AS n FROM ("
            + $"SELECT l.label, EXISTS (SELECT 1 FROM {q(claimsTable)} AS x WHERE x.label = l.label) AS claimed FROM (SELECT DISTINCT label FROM {q(labels)}) AS l) AS u) AS c "
            + $"LEFT JOIN (SELECT DISTINCT ON (label) label, profile_id FROM {q(claimsTable)} ORDER BY label, seq ASC NULLS FIRST, {d.ByteOrder("profile_id")}) AS k ON k.label = c.label",
            [maxSequence, parameters.ProfilePrefix], cancellationToken).ConfigureAwait(false);
        var merges = new List<ProfileMerge>();
        await foreach (var row in w.StreamRecordsAsync(
            $"SELECT i.profile_id, c.profile_id FROM {q(claimsTable)} AS c JOIN {q(ids)} AS i ON i.label = c.label WHERE c.profile_id <> i.profile_id ORDER BY c.label, c.seq ASC NULLS FIRST, {d.ByteOrder("c.profile_id")}",
            null, cancellationToken).ConfigureAwait(false))
            merges.Add(new ProfileMerge(row.GetString(0), row.GetString(1)));
        var profiles = Convert.ToInt64(await w.ScalarAsync($"SELECT count(*) FROM {q(ids)}", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var select = $"SELECT n.identifier_type, n.identifier_value, i.profile_id, n.first_t AS first_seen, n.last_t AS last_seen, n.source FROM {q(nodes)} AS n "
            + $"JOIN {q(labels)} AS l ON l.node = n.node JOIN {q(ids)} AS i ON i.label = l.label ORDER BY n.node";
        return new Outcome(profiles, recordCount, rounds, cappedComponents, merges, refused, select);
    }

    /// <summary>Drops the work tables (also after a failure).</summary>
    public async Task DropAsync()
    {
        foreach (var table in _tables)
            await context.Warehouse.ExecuteAsync($"DROP TABLE IF EXISTS {context.Warehouse.Dialect.Quote(table)}", null, CancellationToken.None).ConfigureAwait(false);
    }
}
