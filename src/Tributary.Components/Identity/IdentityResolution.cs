using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Tributary.Analytics.Identity;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Identity;

/// <summary>Parameters of <c>identity.resolve</c>.</summary>
public sealed partial record IdentityParameters : IValidatableObject
{
    /// <summary>Identifier columns per input.</summary>
    [Description("For each input id, its identifier columns, comma-separated; a column's name is its identifier type, e.g. orders: email, phone. Identifiers in one row are linked.")]
    public required IReadOnlyDictionary<string, string> Identifiers { get; init; }

    /// <summary>Per-type caps.</summary>
    [Description("Most distinct values of a type in one profile, e.g. { user_id: 1, email: 3 }. A link that would exceed a cap is refused. Defaults: user_id 1, email 3, phone 3, stripe_customer_id 3, hubspot_id 2, anonymous_id 50.")]
    public IReadOnlyDictionary<string, string>? Caps { get; init; }

    /// <summary>Type priority.</summary>
    [Description("Identifier types from strongest to weakest; stronger links are applied first, so weak ones yield under a cap. Default [user_id, email, hubspot_id, stripe_customer_id, shopify_customer_id, phone, device_id, anonymous_id].")]
    public IReadOnlyList<string> Priority { get; init; } = ["user_id", "email", "hubspot_id", "stripe_customer_id", "shopify_customer_id", "phone", "device_id", "anonymous_id"];

    /// <summary>Values never used to link.</summary>
    [Description("Values never used as identifiers (compared case-insensitively), added to the built-in list: null, empty, anonymous, unknown, 0, -1, phones of one repeated digit (+1 000 000 0000), emails such as test@…, noreply@…, none@….")]
    public IReadOnlyList<string> Blocklist { get; init; } = [];

    /// <summary>Regexes of values never used to link.</summary>
    [Description("Regular expressions of values never used as identifiers, e.g. '^test\\+.*@' or '@example\\.invalid$'.")]
    public IReadOnlyList<string> BlocklistPatterns { get; init; } = [];

    /// <summary>Whether every row is read rather than each distinct combination of identifiers.</summary>
    [Description("Read every row instead of each distinct combination of identifier values (slower, same profiles and ids; for checking). Default false: rows are grouped in the warehouse, and every row is read only when a repeat could change a refused link.")]
    public bool ReadEveryRow { get; init; }

    /// <summary>Distinct identifier combinations from which the warehouse finds the components in SQL.</summary>
    [Description("From this many distinct combinations of identifier values (over all inputs), find the profiles in SQL by label propagation instead of reading the graph into memory; 0 = always. Only components that break a cap are linked in memory. Same profiles and ids (see docs/scale-out.md). Default: never.")]
    [Range(0, int.MaxValue)]
    public int? LabelPropagationAbove { get; init; }

    /// <summary>What new profile ids start with.</summary>
    [Description("What a new profile id starts with, before its number (at least nine digits): lowercase letters, digits and '_', starting with a letter and ending in '_', at most 12 characters. A pipeline whose graph is built from other sources than the project's identity_graph gives it its own prefix, so that its p_000000011 is not taken for another graph's (the Customers page looks ids up in identity_graph). Ids given earlier keep theirs. Default p_.")]
    public string ProfilePrefix { get; init; } = IdentityOptions.DefaultProfilePrefix;

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,10}_\z")]
    private static partial Regex ProfilePrefixPattern();

    /// <summary>Caps with defaults applied.</summary>
    public IReadOnlyDictionary<string, int> EffectiveCaps
    {
        get
        {
            var caps = new Dictionary<string, int>(StringComparer.Ordinal)
            {
                ["user_id"] = 1, ["email"] = 3, ["phone"] = 3, ["stripe_customer_id"] = 3, ["hubspot_id"] = 2, ["anonymous_id"] = 50,
            };
            foreach (var (type, value) in Caps ?? new Dictionary<string, string>())
                if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var cap)) caps[type] = cap;
            return caps;
        }
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!ProfilePrefixPattern().IsMatch(ProfilePrefix))
            yield return new ValidationResult($"profile_prefix must be lowercase letters, digits and '_', start with a letter and end in '_', at most {IdentityOptions.MaxProfilePrefixLength} characters (e.g. p_ or attr_); got '{ProfilePrefix}'.", [nameof(ProfilePrefix)]);
        foreach (var (type, value) in Caps ?? new Dictionary<string, string>())
            if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var cap) || cap < 1)
                yield return new ValidationResult($"caps.{type} must be a whole number of at least 1, got '{value}'.", [nameof(Caps)]);
        foreach (var pattern in BlocklistPatterns)
        {
            string? error = null;
            try
            {
                _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                error = e.Message;
            }
            if (error is not null) yield return new ValidationResult($"blocklist_patterns: '{pattern}' is not a valid regular expression: {error}", [nameof(BlocklistPatterns)]);
        }
    }
}

/// <summary>
/// Stitches every identifier in its inputs into profiles (deterministic matching over the identifier graph with
/// caps, priorities and a blocklist; see <see cref="IdentityGraph"/>). Writes the identity graph
/// (identifier_type, identifier_value, profile_id, first_seen, last_seen, source) and, in the same transaction, its
/// <c>merges</c> output (appended each run) and <c>refused_links</c> output. Profile ids survive re-runs; on a merge the older id wins.
/// </summary>
public sealed class IdentityResolution : IComponent<IdentityParameters>
{
    private static readonly string[] BuiltInBlocklist =
        ["", "null", "none", "undefined", "anonymous", "unknown", "n/a", "0", "-1", "test@test.com", "test@example.com", "noreply@example.com", "+10000000000"];
    private static readonly string[] TimeColumns = ["occurred_at", "ordered_at", "created_at", "timestamp"];
    private static readonly (string, DataKind)[] MergeColumns =
        [("surviving_profile", DataKind.Text), ("merged_profile", DataKind.Text), ("merged_at", DataKind.Timestamp), ("run_id", DataKind.Text)];
    private static readonly (string, DataKind)[] RefusedColumns =
        [("from_type", DataKind.Text), ("from_value", DataKind.Text), ("to_type", DataKind.Text), ("to_value", DataKind.Text), ("reason", DataKind.Text)];
    private static readonly DeclaredOutput[] SideOutputs =
    [
        new(MergesOutput, OutputRole.Diagnostics, "A merge of two profiles: the surviving and the merged id, when and in which run (kept across runs).", Standardize.Schema.Of(MergeColumns)),
        new("refused_links", OutputRole.Diagnostics, "A link between two identifiers that the caps refused, with the reason.", Standardize.Schema.Of(RefusedColumns)),
    ];

    /// <summary>The declared output holding every merge of two profiles, kept across runs.</summary>
    public const string MergesOutput = "merges";

    /// <inheritdoc />
    public static string TypeName => "identity.resolve";
    /// <inheritdoc />
    public static string Description => "Stitch identifiers from every source into stable customer profiles with caps, priorities and a blocklist.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.AtLeastOne;

    /// <inheritdoc />
    public ComponentPlan Plan(IdentityParameters p, PlanContext context)
    {
        var requires = new List<ColumnRequirement>();
        foreach (var (input, columns) in p.Identifiers)
        {
            var i = context.Inputs.ToList().FindIndex(x => x.Id == input);
            if (i < 0) throw new PlanException($"identifiers names '{input}', which is not one of the inputs ({string.Join(", ", context.Inputs.Select(x => x.Id))}).");
            requires.AddRange(Columns(columns).Select(c => new ColumnRequirement(i, c, [])));
        }
        foreach (var input in context.Inputs.Where(x => !p.Identifiers.ContainsKey(x.Id)))
            throw new PlanException($"input '{input.Id}' has no entry under identifiers; say which of its columns are identifiers.");
        return new ComponentPlan(new TableSchema(new (string, DataKind)[]
        {
            ("identifier_type", DataKind.Text), ("identifier_value", DataKind.Text), ("profile_id", DataKind.Text),
            ("first_seen", DataKind.Timestamp), ("last_seen", DataKind.Timestamp), ("source", DataKind.Text),
        }.Select(c => new ColumnSchema(c.Item1, c.Item2.ToString().ToUpperInvariant(), c.Item2)).ToList()), requires) { SideOutputs = SideOutputs };
    }

    // A DATE read as a DateTime is its midnight, as DateOnly.ToDateTime gives; an offset is read as UTC.
    private static DateTime? TimeOf(System.Data.IDataRecord row, int i) => row.IsDBNull(i) ? null : row.GetValue(i) switch
    {
        DateTime t => t,
        DateTimeOffset o => o.UtcDateTime,
        DateOnly day => day.ToDateTime(TimeOnly.MinValue),
        _ => null,
    };

    private static List<string> Columns(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    // The identifier values to come (one count per input), so the graph's arrays are made once at their size, not grown.
    private static async Task<int> CountIdentifiersAsync(IdentityParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var (w, d) = (context.Warehouse, context.Warehouse.Dialect);
        long expected = 0;
        foreach (var input in context.Inputs)
            expected += Convert.ToInt64(await w.ScalarAsync($"SELECT {string.Join(" + ", Columns(p.Identifiers[input]).Select(c => $"count({d.Quote(c)})"))} FROM {d.Quote(input)}",
                null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        return (int)Math.Min(expected, int.MaxValue);
    }

    /// <summary>
    /// Adds every input's records to <paramref name="graph"/>, then last run's profile ids. With <paramref name="everyRow"/>
    /// each row is a record; otherwise each distinct combination of identifier values is one record with its number of rows
    /// and earliest and latest time, which gives the graph the same identifiers and the same records less their repeats (see
    /// <see cref="IdentityGraphBuilder.RepeatsMatter"/>). The graph orders records and numbers profiles by the data (time,
    /// source, values), so neither the order rows come in nor which of the two reads ran changes an id.
    /// </summary>
    private static async Task<IdentityGraphBuilder> ReadAsync(IdentityParameters p, ComponentContext context, IdentityGraphBuilder graph, bool everyRow,
        CancellationToken cancellationToken)
    {
        var (w, d) = (context.Warehouse, context.Warehouse.Dialect);
        foreach (var input in context.Inputs)
        {
            var columns = Columns(p.Identifiers[input]);
            var schema = await w.DescribeTableAsync(input, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"input table '{input}' does not exist.");
            var time = TimeColumns.FirstOrDefault(c => schema.Find(c) is { Kind: DataKind.Timestamp or DataKind.Date });
            var ids = new Identifier[columns.Count];
            string sql;
            if (everyRow)
                sql = $"SELECT {string.Join(", ", columns.Select(c => $"CAST({d.Quote(c)} AS VARCHAR)"))}{(time is null ? "" : $", {d.Quote(time)}")} FROM {d.Quote(input)}";
            else
            {
                // No order asked for: the graph puts the combinations in the data's order itself.
                var names = columns.Select((_, i) => d.Quote($"i{i}")).ToList();
                var rows = string.Join(", ", columns.Select((c, i) => $"CAST({d.Quote(c)} AS VARCHAR) AS {names[i]}"))
                    + (time is null ? "" : $", {d.Quote(time)} AS {d.Quote("t")}");
                sql = $"SELECT {string.Join(", ", names)}{(time is null ? "" : $", min({d.Quote("t")}), max({d.Quote("t")})")}, count(*) "
                    + $"FROM (SELECT {rows} FROM {d.Quote(input)}) AS {d.Quote("r")} WHERE {string.Join(" OR ", names.Select(n => $"{n} IS NOT NULL"))} "
                    + $"GROUP BY {string.Join(", ", names)}";
            }
            // Three stages on their own threads: the warehouse's rows are read, their strings made and hashed on one; each part of
            // the graph's identifier table interns its identifiers on another (the table's probes, cache misses in a table of
            // millions, were two thirds of the read and the longest stage when one thread did them); the graph takes the
            // interned records in order on a third. On one thread each, the stages took turns on one core.
            var types = columns.Select(graph.TypeNumber).ToArray();
            var keys = new int[columns.Count];
            var typesOf = new int[columns.Count];
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var batches = Channel.CreateBounded<RowBatch>(new BoundedChannelOptions(PendingBatches) { SingleReader = true, SingleWriter = true });
            var toParts = Enumerable.Range(0, graph.Parts)
                .Select(_ => Channel.CreateBounded<RowBatch>(new BoundedChannelOptions(PendingBatches) { SingleReader = true, SingleWriter = true })).ToArray();
            var spare = new ConcurrentQueue<RowBatch>();
            // A thread that fails stops the others: the graph may be waiting for a batch that a failed part will never finish.
            Task Run(Func<Task> work) => Task.Run(async () =>
            {
                try
                {
                    await work().ConfigureAwait(false);
                }
                catch
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            }, stop.Token);
            var workers = new List<Task>
            {
                Run(() => ProduceAsync(w, sql, columns.Count, types, time is not null, everyRow, batches.Writer, toParts.Select(c => c.Writer).ToArray(), spare, stop.Token)),
            };
            workers.AddRange(toParts.Select((c, part) => Run(() => InternAsync(graph, part, types, c.Reader, stop.Token))));
            try
            {
                while (await batches.Reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
                    while (batches.Reader.TryRead(out var batch))
                    {
                        await batch.Interned.Task.WaitAsync(stop.Token).ConfigureAwait(false);
                        for (var r = 0; r < batch.Count; r++)
                        {
                            var count = 0;
                            for (var i = 0; i < columns.Count; i++)
                                if (batch.Values[r * columns.Count + i] is { } value)
                                {
                                    (ids[count], typesOf[count], keys[count]) = (new Identifier(columns[i], value), types[i], batch.Keys[r * columns.Count + i]);
                                    count++;
                                }
                            graph.AddInterned(ids.AsSpan(0, count), typesOf.AsSpan(0, count), keys.AsSpan(0, count), batch.First[r], batch.Last[r], input, batch.Occurrences[r]);
                        }
                        batch.Count = 0;
                        spare.Enqueue(batch);
                    }
            }
            catch
            {
                // The graph, a part or the reading failed, or the step was cancelled: stop the other threads and wait for them;
                // a failed thread's error is the step's (the others' cancellations say nothing new).
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAny(Task.WhenAll(workers)).ConfigureAwait(false);
                if (workers.FirstOrDefault(t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException) is { } failed)
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed.Exception!.InnerException!);
                throw;
            }
            // A failure while reading ended the batches early: it is the step's error.
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        if (await w.DescribeTableAsync(context.Asset, cancellationToken).ConfigureAwait(false) is not null)
            await foreach (var r in w.StreamRecordsAsync($"SELECT identifier_type, identifier_value, profile_id FROM {d.Quote(context.Asset)}", null, cancellationToken).ConfigureAwait(false))
                graph.AddPrevious(r.GetString(0), r.GetString(1), r.GetString(2));
        return graph;
    }

    // Parts of the graph's identifier table, each interned on its own thread (see ReadAsync). On two cores one part: its
    // thread's probes (~1.2 CPU s at 2.6M identifiers) take one core while the reading and the graph (~1.1 s) take the other.
    private static int Parts => Environment.ProcessorCount switch { <= 2 => 1, <= 4 => 2, _ => 4 };

    // Rows handed from the reading thread to the graph at a time, and batches read ahead of the graph at most.
    private const int BatchRows = 1024;
    private const int PendingBatches = 8;

    // Rows read from the warehouse, ready for the graph: per row its trimmed identifiers in column order (null when absent)
    // with their hashes and, once every part has interned them (Interned), their keys; first and last time, and occurrences.
    private sealed class RowBatch(int columns)
    {
        public string?[] Values { get; } = new string?[BatchRows * columns];
        public int[] Hashes { get; } = new int[BatchRows * columns];
        public int[] Keys { get; } = new int[BatchRows * columns];
        public DateTime?[] First { get; } = new DateTime?[BatchRows];
        public DateTime?[] Last { get; } = new DateTime?[BatchRows];
        public int[] Occurrences { get; } = new int[BatchRows];
        public int Count { get; set; }
        // Parts still to intern this batch; the last one to finish completes Interned.
        public int PartsLeft;
        public TaskCompletionSource Interned { get; private set; } = NewInterned();

        public void Reset(int parts)
        {
            PartsLeft = parts;
            Interned = NewInterned();
        }

        // The graph's thread waits on it: its continuation must not run on the part's thread that completes it.
        private static TaskCompletionSource NewInterned() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    // Reads the rows of sql (identifier columns, then the first and last time when timed, then the count unless every row is
    // read) into batches, in order to the graph (writer) and to every part (parts); rows without any identifier are skipped.
    // Completes the writers whether or not it failed.
    private static async Task ProduceAsync(IWarehouse w, string sql, int columns, int[] types, bool timed, bool everyRow, ChannelWriter<RowBatch> writer,
        ChannelWriter<RowBatch>[] parts, ConcurrentQueue<RowBatch> spare, CancellationToken cancellationToken)
    {
        try
        {
            var batch = new RowBatch(columns);
            batch.Reset(parts.Length);
            async Task SendAsync()
            {
                await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                foreach (var part in parts) await part.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            // Typed reads of one moving record: no array or boxed value per row, only the identifiers' strings.
            await foreach (var row in w.StreamRecordsAsync(sql, null, cancellationToken).ConfigureAwait(false))
            {
                var r = batch.Count;
                var any = false;
                for (var i = 0; i < columns; i++)
                {
                    var value = row.IsDBNull(i) ? null : row.GetString(i).Trim();
                    batch.Values[r * columns + i] = value;
                    if (value is null) continue;
                    batch.Hashes[r * columns + i] = IdentityGraphBuilder.Hash(types[i], value);
                    any = true;
                }
                if (!any) continue;
                batch.First[r] = timed ? TimeOf(row, columns) : null;
                batch.Last[r] = !timed ? null : everyRow ? batch.First[r] : TimeOf(row, columns + 1);
                batch.Occurrences[r] = everyRow ? 1 : checked((int)Convert.ToInt64(row.GetValue(columns + (timed ? 2 : 0)), CultureInfo.InvariantCulture));
                if (++batch.Count < BatchRows) continue;
                await SendAsync().ConfigureAwait(false);
                batch = spare.TryDequeue(out var reused) ? reused : new RowBatch(columns);
                batch.Reset(parts.Length);
            }
            if (batch.Count > 0) await SendAsync().ConfigureAwait(false);
        }
        finally
        {
            writer.Complete();
            foreach (var part in parts) part.Complete();
        }
    }

    // Interns the identifiers of part `part` of every batch, batch by batch in the order they were read (the order the graph
    // takes them in), and marks each batch interned when it is the last part to finish it.
    private static async Task InternAsync(IdentityGraphBuilder graph, int part, int[] types, ChannelReader<RowBatch> batches, CancellationToken cancellationToken)
    {
        var columns = types.Length;
        while (await batches.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            while (batches.TryRead(out var batch))
            {
                var values = batch.Values;
                var hashes = batch.Hashes;
                var keys = batch.Keys;
                for (var j = 0; j < batch.Count * columns; j++)
                    if (values[j] is { } value && graph.PartOf(hashes[j]) == part) keys[j] = graph.Intern(types[j % columns], value, hashes[j]);
                if (Interlocked.Decrement(ref batch.PartsLeft) == 0) batch.Interned.SetResult();
            }
    }

    // Below this many identifiers the graph is written as one stream, in order of first sight.
    private const int ParallelWriteFrom = 1 << 18;

    /// <summary>
    /// The identifiers split into one range per core (up to 4) when there are many: DuckDB appends each range on its own
    /// thread, and converting, storing and compressing the rows there (DuckDB's dictionary and FSST analysis of 2.6M values)
    /// was most of a large resolution's write, all on one core. Rows of different ranges may then be stored in either order
    /// (the table's row order is not part of its meaning; readers group or sort).
    /// </summary>
    private static IEnumerable<(int Start, int End)> WriteRanges(int identifiers)
    {
        var parts = identifiers < ParallelWriteFrom ? 1 : Math.Clamp(Environment.ProcessorCount, 1, 4);
        for (var i = 0; i < parts; i++) yield return ((int)((long)identifiers * i / parts), (int)((long)identifiers * (i + 1) / parts));
    }

    private static readonly (string Name, DataKind Kind)[] GraphColumns =
    [
        ("identifier_type", DataKind.Text), ("identifier_value", DataKind.Text), ("profile_id", DataKind.Text), ("first_seen", DataKind.Timestamp),
        ("last_seen", DataKind.Timestamp), ("source", DataKind.Text),
    ];

    // Rows per batch of the graph's write: one of DuckDB's vectors, so each chunk the engine asks for is one batch.
    private const int WriteBatchRows = 2048;

    /// <summary>
    /// The assignments of identifiers <paramref name="start"/> to <paramref name="end"/> (exclusive), in order, in one batch
    /// refilled for every <see cref="WriteBatchRows"/> of them: the values are copied from the graph's own arrays into the
    /// batch as UTF-8, so the write makes no array, string or boxed time per identifier. Written as an <c>object?[]</c> per
    /// identifier (its value's string, two boxed timestamps) the write allocated ~200 MB of heap in 5 s at 100k demo
    /// customers, while identity ran beside sessions (bench/README.md, stops 21 and 22).
    /// </summary>
    private static IEnumerable<AppendBatch> AssignmentBatches(IdentityProfiles profiles, int start, int end)
    {
        var batch = new AppendBatch([.. GraphColumns.Select(c => c.Kind)], WriteBatchRows);
        var id = new char[IdentityProfiles.MaxNewIdLength];
        for (var n = start; n < end;)
        {
            batch.Clear();
            for (var stop = Math.Min(end, n + WriteBatchRows); n < stop; n++)
            {
                var assignment = profiles.View(n);
                batch.AddRow();
                batch.SetText(0, assignment.Type);
                batch.SetText(1, assignment.Value);
                batch.SetText(2, profiles.ProfileId(assignment.Profile, id));
                if (assignment.FirstTicks != 0) batch.SetTimestamp(3, new DateTime(assignment.FirstTicks));
                if (assignment.LastTicks != 0) batch.SetTimestamp(4, new DateTime(assignment.LastTicks));
                batch.SetText(5, assignment.Source);
            }
            yield return batch;
        }
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static async Task<Materialization?> MaterializeInSqlAsync(IdentityLabelPropagation propagation, long combinations, ComponentContext context,
        CancellationToken cancellationToken)
    {
        var (w, d) = (context.Warehouse, context.Warehouse.Dialect);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        if (await propagation.RunAsync(TimeColumns, cancellationToken).ConfigureAwait(false) is not { } outcome) return null;
        var linked = watch.Elapsed;
        var now = DateTime.SpecifyKind(context.Time.GetUtcNow().UtcDateTime, DateTimeKind.Unspecified);
        var mergesTable = context.Output(MergesOutput);
        var oldMerges = await w.DescribeTableAsync(mergesTable, cancellationToken).ConfigureAwait(false) is null ? [] :
            (await w.QueryAsync($"SELECT surviving_profile, merged_profile, merged_at, run_id FROM {d.Quote(mergesTable)}", null, int.MaxValue, cancellationToken).ConfigureAwait(false)).Rows;
        var counts = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync(outcome.AssetSelect, null, ct)),
            new TableWrite(mergesTable, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(MergeColumns,
                oldMerges.Concat(outcome.Merges.Select(m => new object?[] { m.Surviving, m.Merged, now, context.RunId })), ct)),
            new TableWrite(context.Output("refused_links"), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(RefusedColumns,
                outcome.Refused.Select(r => new object?[] { r.From.Type, r.From.Value, r.To.Type, r.To.Value, r.Reason }), ct)),
        ], cancellationToken).ConfigureAwait(false);
        context.Log($"{outcome.Profiles:N0} profiles from {counts[0]:N0} identifiers in {outcome.Records:N0} records ({combinations:N0} combinations) by label propagation in SQL: "
            + $"{outcome.Rounds} rounds, {outcome.CappedComponents} components over a cap linked in memory; {outcome.Merges.Count} merges, {outcome.Refused.Count} links refused by caps; "
            + $"linked in {linked.TotalSeconds:0.0}s, written in {(watch.Elapsed - linked).TotalSeconds:0.0}s");
        return new Materialization(counts[0], new Dictionary<string, object?>
        {
            ["profiles"] = outcome.Profiles, ["records"] = outcome.Records, ["merges"] = outcome.Merges.Count, ["refused_links"] = outcome.Refused.Count,
            ["read_every_row"] = false, ["label_propagation_rounds"] = outcome.Rounds, ["capped_components"] = outcome.CappedComponents,
        });
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(IdentityParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var d = w.Dialect;
        var blocked = new HashSet<string>(BuiltInBlocklist.Concat(p.Blocklist).Select(v => v.Trim().ToLowerInvariant()), StringComparer.Ordinal);
        var patterns = p.BlocklistPatterns.Select(x => new Regex(x, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).ToList();
        // Lower-casing keeps a value's length, so only values as long as a blocked one are lower-cased and looked up: most
        // identifiers are longer than every entry, and a string made per distinct identifier was a cost of millions.
        var blockedLengths = blocked.Select(v => v.Length).ToHashSet();
        // Asked once per distinct identifier, of the trimmed value that would be stored.
        bool Usable(Identifier id) =>
            !(blockedLengths.Contains(id.Value.Length) && blocked.Contains(id.Value.ToLowerInvariant())) && !PlaceholderIdentifiers.IsPlaceholder(id.Type, id.Value)
            && !patterns.Exists(r => r.IsMatch(id.Value));

        if (p.LabelPropagationAbove is { } above)
        {
            if (await IdentityLabelPropagation.CombinationsAsync(p, context, cancellationToken).ConfigureAwait(false) is var combinations && combinations >= above)
            {
                var propagation = new IdentityLabelPropagation(p, context, blocked);
                try
                {
                    if (await MaterializeInSqlAsync(propagation, combinations, context, cancellationToken).ConfigureAwait(false) is { } done) return done;
                    context.Log("a link refused under the caps depends on repeated records; linking in memory");
                }
                finally
                {
                    await propagation.DropAsync().ConfigureAwait(false);
                }
            }
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        // Process CPU seconds per phase beside the wall times: on a loaded machine only the CPU seconds measure the work.
        var cpuStart = ProcessCpu();
        var options = new IdentityOptions(p.EffectiveCaps, p.Priority) { ProfilePrefix = p.ProfilePrefix };
        // Distinct combinations of identifiers, grouped in the warehouse: the graph grows with people, not with events.
        var graph = p.ReadEveryRow ? null : await ReadAsync(p, context, new IdentityGraphBuilder(options, Usable, 0, Parts), everyRow: false, cancellationToken).ConfigureAwait(false);
        var read = watch.Elapsed;
        var readCpu = ProcessCpu();
        var result = graph?.Link();
        var everyRow = graph is null || graph.RepeatsMatter;
        if (graph is null || result is null || everyRow)
        {
            // Rare unless asked for: a refused link might have been decided otherwise by a later repeat of its record.
            if (graph is not null) context.Log("a link refused under the caps depends on repeated records; reading every row");
            graph = await ReadAsync(p, context, new IdentityGraphBuilder(options, Usable, await CountIdentifiersAsync(p, context, cancellationToken).ConfigureAwait(false), Parts),
                everyRow: true, cancellationToken).ConfigureAwait(false);
            read = watch.Elapsed;
            readCpu = ProcessCpu();
            result = graph.Link();
        }
        var linked = watch.Elapsed - read;
        var linkedCpu = ProcessCpu();
        watch.Restart();

        var now = DateTime.SpecifyKind(context.Time.GetUtcNow().UtcDateTime, DateTimeKind.Unspecified);
        var mergesTable = context.Output(MergesOutput);
        var oldMerges = await w.DescribeTableAsync(mergesTable, cancellationToken).ConfigureAwait(false) is null ? [] :
            (await w.QueryAsync($"SELECT surviving_profile, merged_profile, merged_at, run_id FROM {d.Quote(mergesTable)}", null, int.MaxValue, cancellationToken).ConfigureAwait(false)).Rows;
        // The graph, its merge log and the refused links change together or not at all.
        var counts = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendBatchesInParallelAsync(GraphColumns,
                [.. WriteRanges(result.Identifiers).Select(r => AssignmentBatches(result, r.Start, r.End))], ct)),
            new TableWrite(mergesTable, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(MergeColumns,
                oldMerges.Concat(result.Merges.Select(m => new object?[] { m.Surviving, m.Merged, now, context.RunId })), ct)),
            new TableWrite(context.Output("refused_links"), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(RefusedColumns,
                result.Refused.Select(r => new object?[] { r.From.Type, r.From.Value, r.To.Type, r.To.Value, r.Reason }), ct)),
        ], cancellationToken).ConfigureAwait(false);
        var rows = counts[0];
        context.Log($"{result.Count:N0} profiles from {rows:N0} identifiers in {graph.Records:N0} records; {result.Merges.Count} merges, {result.Refused.Count} links refused by caps; read in {read.TotalSeconds:0.0}s ({(readCpu - cpuStart).TotalSeconds:0.00} CPU s), linked in {linked.TotalSeconds:0.0}s ({(linkedCpu - readCpu).TotalSeconds:0.00} CPU s), written in {watch.Elapsed.TotalSeconds:0.0}s ({(ProcessCpu() - linkedCpu).TotalSeconds:0.00} CPU s)");
        return new Materialization(rows, new Dictionary<string, object?>
        {
            ["profiles"] = result.Count, ["records"] = graph.Records, ["merges"] = result.Merges.Count, ["refused_links"] = result.Refused.Count,
            ["read_every_row"] = everyRow,
        });
    }
}
