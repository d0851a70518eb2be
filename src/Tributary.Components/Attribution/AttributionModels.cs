using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Analytics.Attribution;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Attribution;

/// <summary>Parameters of <c>analytics.attribution</c>.</summary>
public sealed record AttributionParameters : IValidatableObject
{
    internal static readonly string[] Known =
        ["first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "w_shaped", "markov_1", "markov_2", "markov_3", "shapley", "shapley_simplified"];

    /// <summary>Models to compute side by side.</summary>
    [Description("Models to compute side by side: first_touch, last_touch, last_non_direct, linear, time_decay, position_based, w_shaped, markov_1, markov_2, markov_3, shapley, shapley_simplified. shapley_simplified (Zhao et al. 2018's simplified Shapley) equals an even split of each converting path over its distinct channels: the same as linear except on paths that touch a channel more than once, where linear gives that channel a share per touch. Default [last_touch, linear, markov_1, shapley].")]
    public IReadOnlyList<string> Models { get; init; } = ["last_touch", "linear", "markov_1", "shapley"];

    /// <summary>Half-life for time decay.</summary>
    [Description("Half-life in days for time_decay. Default 7.")]
    [Range(0.1, 365)]
    public double HalfLifeDays { get; init; } = 7;

    /// <summary>Monte Carlo orderings for Shapley above 15 channels.</summary>
    [Description("Random orderings for Shapley when there are more than 15 channels (exact below). Default 2000.")]
    [Range(100, 1_000_000)]
    public int ShapleySamples { get; init; } = 2000;

    /// <summary>Models whose per-conversion credit is written.</summary>
    [Description("Models whose credit per conversion, channel and campaign goes to its conversions output (a row per conversion, channel and campaign and model: large for many conversions). Default: the first model in models.")]
    public IReadOnlyList<string>? ConversionDetail { get; init; }

    /// <summary>The Shapley game's coalition value.</summary>
    [Description("What a set of channels is worth for shapley: conversion_rate (after Dalessandro et al. 2012: the conversion rate of paths with exactly that set, raised to the best rate among its subsets when lower, and that best rate for a set no path has, so that credit is never negative; uses non-converting paths) or conversions (Zhao et al. 2018: conversions of paths within the set, which comes to shapley_simplified's even split over each path's distinct channels). Default conversion_rate.")]
    public ShapleyValueFunction ShapleyValue { get; init; } = ShapleyValueFunction.ConversionRate;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Models.Count == 0) yield return new ValidationResult($"models needs at least one model: {string.Join(", ", Known)}.", [nameof(Models)]);
        foreach (var m in Models.Where(m => !Known.Contains(m)))
            yield return new ValidationResult($"models: unknown model '{m}'.{NameSuggestion.Format(m, Known)} Models: {string.Join(", ", Known)}.", [nameof(Models)]);
        foreach (var m in (ConversionDetail ?? []).Where(m => !Models.Contains(m)))
            yield return new ValidationResult($"conversion_detail: '{m}' is not one of the models computed ({string.Join(", ", Models)}).", [nameof(ConversionDetail)]);
    }
}

/// <summary>
/// Multi-touch attribution of conversion paths (from <c>journey.conversion_paths</c>) by every chosen model, side by
/// side: rule-based models, exact Markov removal effects (order 1–3), and Shapley values. Each model runs once over
/// channels; a channel's credit in a conversion goes to the campaigns of its touches in proportion to the model's touch
/// weights. Tables: <c>&lt;id&gt;</c> by channel, <c>&lt;id&gt;__campaigns</c> by channel and campaign,
/// <c>&lt;id&gt;__daily</c> by day of conversion, channel and campaign, and <c>&lt;id&gt;__conversions</c> per
/// conversion (for the models in <c>conversion_detail</c>).
/// </summary>
public sealed class AttributionModels : IComponent<AttributionParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.attribution";
    /// <inheritdoc />
    public static string Description => "Attribute conversions to channels and campaigns with rule-based, Markov and Shapley models side by side.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;
    /// <inheritdoc />
    // Its daily table buckets conversions by the reporting zone's days.
    public static bool ReadsTimeZone => true;

    private static readonly (string Name, DataKind Kind)[] Columns =
        [("model", DataKind.Text), ("channel", DataKind.Text), ("conversions", DataKind.Number), ("value", DataKind.Number), ("share", DataKind.Number), ("touches", DataKind.Integer)];

    private static readonly (string Name, DataKind Kind)[] CampaignColumns =
        [("model", DataKind.Text), ("channel", DataKind.Text), ("campaign", DataKind.Text), ("conversions", DataKind.Number), ("value", DataKind.Number), ("share", DataKind.Number), ("touches", DataKind.Integer)];

    private static readonly (string Name, DataKind Kind)[] DailyColumns =
        [("model", DataKind.Text), ("day", DataKind.Date), ("channel", DataKind.Text), ("campaign", DataKind.Text), ("conversions", DataKind.Number), ("value", DataKind.Number)];

    private static readonly (string Name, DataKind Kind)[] ConversionColumns =
    [
        ("model", DataKind.Text), ("path_id", DataKind.Text), ("converted_at", DataKind.Timestamp), ("channel", DataKind.Text), ("campaign", DataKind.Text),
        ("conversions", DataKind.Number), ("value", DataKind.Number),
    ];

    /// <inheritdoc />
    public ComponentPlan Plan(AttributionParameters parameters, PlanContext context) =>
        new(new TableSchema(Columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList()),
            PathColumns.Select(c => new ColumnRequirement(0, c, [])).ToList()) { SideOutputs = SideOutputs };

    private static readonly DeclaredOutput[] SideOutputs =
    [
        new("campaigns", OutputRole.Detail, "Credit by model, channel and campaign.", Standardize.Schema.Of(CampaignColumns)),
        new("daily", OutputRole.Detail, "Credit by model, day of conversion, channel and campaign.", Standardize.Schema.Of(DailyColumns)),
        new("conversions", OutputRole.Detail, "Credit per conversion, channel and campaign for the detail models.", Standardize.Schema.Of(ConversionColumns)),
    ];

    private static readonly string[] PathColumns = ["path_id", "position", "channel", "campaign", "converted", "conversion_value", "days_before_conversion", "converted_at"];

    // The paths as read: the models' path set (touches numbered by channel), and beside it per converting path in path order
    // its id, conversion time (ticks, PathOutlines.NoTime for none) and the day of its conversion (the arrays may be longer),
    // and per touch its channel-and-campaign key (an index into the keys), at the set's touch offsets.
    private sealed record Journeys(PathSet Paths, string?[] Ids, long[] ConvertedAt, int[] Days, int[] Offsets, int[] Keys)
    {
        public ReadOnlySpan<int> KeysOf(int path) => Keys.AsSpan(Offsets[path], Offsets[path + 1] - Offsets[path]);
    }

    // A model's split of one conversion over path p's touches, written into a span of the path's length.
    private delegate void TouchWeights(int path, Span<double> into);

    // The distinct (channel, campaign) pairs, numbered; campaign "" for none.
    private sealed class TouchKeys
    {
        private readonly Dictionary<(string, string), int> _ids = [];
        public List<(string Channel, string Campaign)> All { get; } = [];

        // The pairs numbered in name order, whatever order the engine's GROUP BY gave them in (a parallel one gives another
        // each run): channels, campaign sums and their scaling all follow the numbers, so a rerun over the same touches
        // would otherwise change the campaign and daily tables in the last digit (seen at 10M touches in the bench).
        public void Number(IEnumerable<object?[]> pairs)
        {
            foreach (var (channel, campaign) in pairs.Select(r => ((string)r[0]!, (string)r[1]!)).OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2, StringComparer.Ordinal))
                Id(channel, campaign);
        }

        public int Id(string channel, string campaign)
        {
            if (_ids.TryGetValue((channel, campaign), out var id)) return id;
            _ids[(channel, campaign)] = id = All.Count;
            All.Add((channel, campaign));
            return id;
        }
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(AttributionParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var read = System.Diagnostics.Stopwatch.StartNew();
        var keys = new TouchKeys();
        // Only the per-conversion table writes a path's id.
        var ids = p.ConversionDetail is null || p.ConversionDetail.Count > 0;
        var journeys = await ReadInStoredOrderAsync(w, context.Inputs[0], keys, ids, context.TimeZone, context.Log, cancellationToken).ConfigureAwait(false)
            ?? await ReadAsync(w, context.Inputs[0], keys, context.TimeZone, context.Log, cancellationToken).ConfigureAwait(false);
        var paths = journeys.Paths;
        context.Log($"read {paths.Count:N0} paths in {read.Elapsed.TotalSeconds:0.0}s");
        var keyTouches = new long[keys.All.Count];
        var (firstDay, lastDay, converting, longest) = (int.MaxValue, int.MinValue, 0, 0);
        for (var j = 0; j < paths.Count; j++)
        {
            if (!paths.Converted(j)) continue;
            foreach (var key in journeys.KeysOf(j)) keyTouches[key]++;
            var day = journeys.Days[converting];
            (firstDay, lastDay, converting) = (Math.Min(firstDay, day), Math.Max(lastDay, day), converting + 1);
            longest = Math.Max(longest, journeys.KeysOf(j).Length);
        }
        if (converting == 0) (firstDay, lastDay) = (0, 0);
        var touches = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var key = 0; key < keys.All.Count; key++) touches[keys.All[key].Channel] = touches.GetValueOrDefault(keys.All[key].Channel) + keyTouches[key];

        // The models are independent: each runs on its own core over the same read-only paths; rows keep the models' order.
        // A model's rows go to the warehouse as batches of unboxed values: as rows of objects, the daily table's (61k rows at 1M
        // paths) took three quarters of the step's writing.
        var perModel = new (AppendBatch Channels, AppendBatch Campaigns, AppendBatch Daily, TouchWeights Weights, TimeSpan Took)[p.Models.Count];
        // The game models first (each costs several rule models): started last, one of them would keep a core busy alone.
        var heaviestFirst = Enumerable.Range(0, p.Models.Count).OrderBy(m => p.Models[m].StartsWith("shapley", StringComparison.Ordinal) || p.Models[m].StartsWith("markov", StringComparison.Ordinal) ? 0 : 1);
        await Parallel.ForEachAsync(heaviestFirst, cancellationToken, (m, ct) =>
        {
            var model = p.Models[m];
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (credit, weights) = Attribute(p, model, paths);
            var (channelRows, campaignRows) = (Batch(Columns, credit.Count), Batch(CampaignColumns, keys.All.Count));
            var total = credit.Sum(c => c.Conversions);
            foreach (var c in credit)
            {
                channelRows.AddRow();
                channelRows.SetText(0, model);
                channelRows.SetText(1, c.Channel);
                channelRows.SetNumber(2, c.Conversions);
                channelRows.SetNumber(3, c.Value);
                channelRows.SetNumber(4, total == 0 ? 0 : c.Conversions / total);
                channelRows.SetInteger(5, touches.GetValueOrDefault(c.Channel));
            }

            // Touch weights summed by campaign and by day; then scaled so each channel's campaigns add up to its credit
            // (Markov normalizes removal effects over all channels, not per path).
            var byKey = new (double Conversions, double Value)[keys.All.Count];
            // By day and key: a dense array over the days spanned when it is small (no hash lookup per touch), else a map.
            var dense = lastDay - firstDay < DenseDayCells / Math.Max(1, keys.All.Count)
                ? new (double Conversions, double Value, bool Seen)[(lastDay - firstDay + 1) * keys.All.Count] : null;
            var byDay = new Dictionary<long, (double Conversions, double Value)>();
            Sum(journeys, weights, longest, firstDay, byKey, dense, byDay);
            if (dense is not null)
                for (var cell = 0; cell < dense.Length; cell++)
                    if (dense[cell].Seen) byDay[cell] = (dense[cell].Conversions, dense[cell].Value);
            var sums = new Dictionary<string, (double Conversions, double Value)>(StringComparer.Ordinal);
            for (var key = 0; key < byKey.Length; key++)
            {
                var sum = sums.GetValueOrDefault(keys.All[key].Channel);
                sums[keys.All[key].Channel] = (sum.Conversions + byKey[key].Conversions, sum.Value + byKey[key].Value);
            }
            var scale = credit.ToDictionary(c => c.Channel, c => (
                Conversions: sums.GetValueOrDefault(c.Channel).Conversions is > 0 and var n ? c.Conversions / n : 0,
                Value: sums.GetValueOrDefault(c.Channel).Value is > 0 and var v ? c.Value / v : 0), StringComparer.Ordinal);
            (double, double) Scaled(int key, (double Conversions, double Value) x) =>
                scale.TryGetValue(keys.All[key].Channel, out var f) ? (x.Conversions * f.Conversions, x.Value * f.Value) : (0, 0);
            foreach (var key in Enumerable.Range(0, byKey.Length).OrderBy(k => keys.All[k].Channel, StringComparer.Ordinal).ThenBy(k => keys.All[k].Campaign, StringComparer.Ordinal))
            {
                var (conversions, value) = Scaled(key, byKey[key]);
                campaignRows.AddRow();
                campaignRows.SetText(0, model);
                campaignRows.SetText(1, keys.All[key].Channel);
                if (keys.All[key].Campaign.Length > 0) campaignRows.SetText(2, keys.All[key].Campaign);
                campaignRows.SetNumber(3, conversions);
                campaignRows.SetNumber(4, value);
                campaignRows.SetNumber(5, total == 0 ? 0 : conversions / total);
                campaignRows.SetInteger(6, keyTouches[key]);
            }
            var dailyRows = Batch(DailyColumns, byDay.Count);
            foreach (var (dayKey, x) in byDay)
            {
                var key = (int)(dayKey % keys.All.Count);
                var (conversions, value) = Scaled(key, x);
                dailyRows.AddRow();
                dailyRows.SetText(0, model);
                dailyRows.SetDate(1, DateOnly.FromDayNumber(firstDay + (int)(dayKey / keys.All.Count)));
                dailyRows.SetText(2, keys.All[key].Channel);
                if (keys.All[key].Campaign.Length > 0) dailyRows.SetText(3, keys.All[key].Campaign);
                dailyRows.SetNumber(4, conversions);
                dailyRows.SetNumber(5, value);
            }
            perModel[m] = (channelRows, campaignRows, dailyRows, weights, watch.Elapsed);
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);
        for (var m = 0; m < p.Models.Count; m++) context.Log($"{p.Models[m]}: {perModel[m].Took.TotalSeconds:0.0}s");
        var detail = p.Models.Select((model, m) => (Model: model, perModel[m].Weights)).Where(x => p.ConversionDetail?.Contains(x.Model) ?? x.Model == p.Models[0]).ToList();

        // Per conversion: streamed in one batch refilled every DetailBatchRows rows or so (no array, boxed number or time per
        // row: a million rows at 100k demo customers), a model's touch weights summed by channel and campaign (Markov: the
        // path's own removal effects).
        IEnumerable<AppendBatch> Detail()
        {
            var batch = new AppendBatch([.. ConversionColumns.Select(c => c.Kind)], DetailBatchRows);
            var split = new double[longest];
            foreach (var (model, weights) in detail)
                for (var (j, c) = (0, -1); j < paths.Count; j++)
                {
                    if (!paths.Converted(j)) continue;
                    c++;
                    var (at, n) = (journeys.Offsets[j], journeys.Offsets[j + 1] - journeys.Offsets[j]);
                    weights(j, split.AsSpan(0, n));
                    for (var k = 0; k < n; k++)
                    {
                        // Each (channel, campaign) once, at its first touch, with the shares of all its touches.
                        var key = journeys.Keys[at + k];
                        if (Array.IndexOf(journeys.Keys, key, at, k) >= 0) continue;
                        var share = split[k];
                        for (var e = k + 1; e < n; e++) if (journeys.Keys[at + e] == key) share += split[e];
                        var (channel, campaign) = keys.All[key];
                        batch.AddRow();
                        batch.SetText(0, model);
                        if (journeys.Ids[c] is { } id) batch.SetText(1, id);
                        if (journeys.ConvertedAt[c] is var ticks and not PathOutlines.NoTime) batch.SetTimestamp(2, new DateTime(ticks));
                        batch.SetText(3, channel);
                        if (campaign.Length > 0) batch.SetText(4, campaign);
                        batch.SetNumber(5, share);
                        batch.SetNumber(6, share * paths.Value(j));
                    }
                    if (batch.Count < DetailBatchRows) continue;
                    yield return batch;
                    batch.Clear();
                }
            if (batch.Count > 0) yield return batch;
        }
        var write = System.Diagnostics.Stopwatch.StartNew();
        // The four tables change together or not at all.
        var counts = await w.WriteTablesAsync(
        [
            new TableWrite(context.Output("conversions"), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendBatchesInParallelAsync(ConversionColumns, [Detail()], ct)),
            new TableWrite(context.Output("daily"), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendBatchesInParallelAsync(DailyColumns, [perModel.Select(x => x.Daily)], ct)),
            new TableWrite(context.Output("campaigns"), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendBatchesInParallelAsync(CampaignColumns, [perModel.Select(x => x.Campaigns)], ct)),
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendBatchesInParallelAsync(Columns, [perModel.Select(x => x.Channels)], ct)),
        ], cancellationToken).ConfigureAwait(false);
        var (detailRows, rows) = (counts[0], counts[3]);
        context.Log($"{converting:N0} conversions over {paths.Count:N0} paths attributed by {string.Join(", ", p.Models)}; wrote {detailRows:N0} per-conversion rows in {write.Elapsed.TotalSeconds:0.0}s");
        return new Materialization(rows, new Dictionary<string, object?> { ["paths"] = paths.Count, ["conversions"] = converting });
    }

    // Every conversion's touch weights under one model summed by (channel, campaign) key and by (day, key): into dense
    // when it is given, else into byDay.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Sum(Journeys journeys, TouchWeights weights, int longest, int firstDay, (double Conversions, double Value)[] byKey,
        (double Conversions, double Value, bool Seen)[]? dense, Dictionary<long, (double Conversions, double Value)> byDay)
    {
        var paths = journeys.Paths;
        var buffer = new double[longest];
        for (var (j, c) = (0, -1); j < paths.Count; j++)
        {
            if (!paths.Converted(j)) continue;
            var day = journeys.Days[++c] - firstDay;
            var pathKeys = journeys.KeysOf(j);
            var split = buffer.AsSpan(0, pathKeys.Length);
            weights(j, split);
            var amount = paths.Value(j);
            for (var k = 0; k < split.Length; k++)
            {
                var key = pathKeys[k];
                byKey[key] = (byKey[key].Conversions + split[k], byKey[key].Value + split[k] * amount);
                var dayKey = (long)day * byKey.Length + key;
                if (dense is not null)
                {
                    ref var cell = ref dense[dayKey];
                    cell = (cell.Conversions + split[k], cell.Value + split[k] * amount, true);
                    continue;
                }
                ref var d = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(byDay, dayKey, out _);
                d = (d.Conversions + split[k], d.Value + split[k] * amount);
            }
        }
    }

    // Rows of the per-conversion write per batch, about: one of DuckDB's vectors (a path's rows are never split).
    private const int DetailBatchRows = 2048;

    // Cells of the dense (day, channel-and-campaign) sums per model: 4M cells are 100 MB, beyond that a map of the cells touched.
    private const int DenseDayCells = 4_000_000;

    private static AppendBatch Batch((string Name, DataKind Kind)[] columns, int rows) => new([.. columns.Select(c => c.Kind)], Math.Max(1, rows));

    // The columns of the two reads below, as they are cast in their SQL.
    private static readonly DataKind[] OutlineKinds = [DataKind.Text, DataKind.Boolean, DataKind.Number, DataKind.Timestamp, DataKind.Integer, DataKind.Integer];
    private static readonly DataKind[] HashedTouchKinds = [DataKind.Integer, DataKind.Integer, DataKind.Integer, DataKind.Number];
    private static readonly DataKind[] HashedTouchOutcomeKinds = [.. HashedTouchKinds, DataKind.Boolean, DataKind.Number, DataKind.Timestamp];
    private static readonly DataKind[] TouchKinds = [DataKind.Integer, DataKind.Integer, DataKind.Number];

    // Where the engine streams a table in stored order and hashes text (DuckDB), one scan of the touches in that order (each
    // touch's id hash, pair hash, position and age) finds the paths as runs of one hash (a path's touches are mostly stored
    // together: journey.conversion_paths writes them so, as does a table loaded in path order), with no outline query (a GROUP BY
    // and sort of every touch by its text id: ~0.7 of the engine's ~2 CPU s of the two reads below at 1M paths) and no
    // scatter of the touches into slices; beside it, a GROUP BY of the converting touches only (a third of them) gives each
    // converting path's value and conversion time (the largest of its converting touches', which journey.conversion_paths
    // repeats on every touch) and, for the per-conversion table only, its id. Paths are then numbered in their ids' hash
    // order, whatever order the table was stored in (path_id order for the outline read, so float sums may differ from it in
    // the last digit). Null, and the two reads run instead, where
    // two pairs' or paths' hashes collide (seen as a repeated position in a path, as where a path repeats one), said in
    // the log; the scan then cost one read of the touches more.
    private static async Task<Journeys?> ReadInStoredOrderAsync(IWarehouse w, string input, TouchKeys keys, bool ids, TimeZoneInfo zone, Action<string> log, CancellationToken cancellationToken)
    {
        var d = w.Dialect;
        var (bigint, real, text) = (d.TypeName(DataKind.Integer), d.TypeName(DataKind.Number), d.TypeName(DataKind.Text));
        if (!d.ScansInStoredOrder || d.TextHash($"CAST(path_id AS {text})") is not { } pathHash
            || d.TextPairHash("channel", "campaign") is not { } pairHash) return null;
        var table = d.Quote(input);
        const string campaign = "coalesce(CAST(campaign AS VARCHAR), '')";
        // Each pair with its hash, as the scan computes it, and its touches: their sum bounds the scan's arrays. The query
        // runs beside the scans (which number the pairs they meet by hash and take their keys from it after): before them,
        // it kept both cores waiting on one GROUP BY.
        var pairsRead = Task.Run(() => w.QueryAsync($"""
            SELECT channel, campaign, {pairHash}, n FROM (SELECT channel, {campaign} AS campaign, CAST(count(*) AS {bigint}) AS n FROM {table} WHERE channel IS NOT NULL GROUP BY 1, 2) AS p
            """, null, int.MaxValue, cancellationToken), cancellationToken);
        // The converting paths' outcome: for the per-conversion table (which names each path), a GROUP BY of the converting
        // touches on another connection while this thread reads the scan; else each touch's outcome comes with the scan and
        // the paths' are taken in C#, which costs the engine less than grouping a third of the touches by their text ids.
        var convertingRead = !ids ? null : Task.Run(async () =>
        {
            var converting = new PathOutlines(hashed: true);
            await foreach (var b in w.ReadColumnsAsync($"""
                SELECT CAST(path_id AS {text}), TRUE, CAST(max(conversion_value) AS {real}), max(converted_at), CAST(count(*) AS {bigint}), {pathHash}
                FROM {table} WHERE converted AND channel IS NOT NULL AND path_id IS NOT NULL GROUP BY path_id
                """, null, OutlineKinds, cancellationToken).ConfigureAwait(false))
                converting.Add(b);
            return converting;
        }, cancellationToken);
        // A touch's outcome: whether it converted, its value (0 where it did not) and conversion time (year 100 for none, read
        // as none: NULLs in every non-converting row would each cost the batch a call; a session time zone may move the
        // stand-in by hours, never out of its century).
        var outcome = ids ? "" : $"""
            , coalesce(t.converted, FALSE), CAST(CASE WHEN t.converted THEN t.conversion_value ELSE 0 END AS {real}),
                coalesce(t.converted_at, TIMESTAMP '0100-01-01 00:00:00')
            """;
        // The table read as ranges of its stored rows side by side, one per core, each in stored order: one scan ran the
        // engine's work, the batches' conversion and the appending on one thread while the other core idled (a run
        // straddling two ranges is two runs of one hash, put together below as any path stored apart).
        var slices = Array.Empty<PathRuns>();
        var scans = Array.Empty<Task<bool>>();
        bool[] complete;
        QueryResult pairs;
        try
        {
            var (ranges, storedRows) = await StoredRangesAsync(w, table, cancellationToken).ConfigureAwait(false);
            // The scans' arrays sized by the table's rows where the engine numbers them, else by the pairs' touches.
            var estimate = storedRows ?? (await pairsRead.ConfigureAwait(false)).Rows.Sum(r => Convert.ToInt64(r[3], System.Globalization.CultureInfo.InvariantCulture));
            if (estimate > Array.MaxLength) return null;
            slices = new PathRuns[ranges.Count];
            scans = ranges.Select((range, i) => Task.Run(async () =>
            {
                var slice = slices[i] = new PathRuns((int)Math.Min(Array.MaxLength, estimate * range.Share + 4096), outcomes: !ids);
                var q = new SqlBuilder(d);
                var within = range.Rows is var (from, to) ? $" AND t.{d.StoredRowNumber} >= {q.Bind(from, DataKind.Integer)} AND t.{d.StoredRowNumber} < {q.Bind(to, DataKind.Integer)}" : "";
                await foreach (var b in w.ReadColumnsAsync($"""
                    SELECT {d.TextHash($"CAST(t.path_id AS {text})")}, {d.TextPairHash("t.channel", campaign.Replace("campaign", "t.campaign", StringComparison.Ordinal))}, CAST(t.position AS {bigint}),
                        CAST(CASE WHEN t.converted THEN coalesce(t.days_before_conversion, 0) ELSE 0 END AS {real}){outcome}
                    FROM {table} t WHERE t.path_id IS NOT NULL AND t.channel IS NOT NULL{within}
                    """, q.Parameters, ids ? HashedTouchKinds : HashedTouchOutcomeKinds, cancellationToken).ConfigureAwait(false))
                    if (!slice.Add(b)) return false;
                // Its runs sorted by hash here, beside the other ranges' scans.
                slice.End();
                return true;
            }, cancellationToken)).ToArray();
            complete = await Task.WhenAll(scans).ConfigureAwait(false);
            pairs = await pairsRead.ConfigureAwait(false);
        }
        finally
        {
            // Never left running past the step (a failed scan rethrows its own error, not this one's).
            await ((Task)Task.WhenAll(scans)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await ((Task)pairsRead).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (convertingRead is not null) await ((Task)convertingRead).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        // A position beyond 32 bits: the two reads check the input on their own.
        if (Array.IndexOf(complete, false) is var failed and >= 0) return Fallback(slices[failed].Refusal!);
        if (pairs.Rows.Count == 0) return null;
        var pairHashes = pairs.Rows.Select(r => Convert.ToInt64(r[2], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var pairOf = new PathsByHash(pairHashes, pairHashes.Length);
        for (var pair = 0; pair < pairHashes.Length; pair++)
            if (!pairOf.TryAdd(pair)) return Fallback("two (channel, campaign) pairs hash alike");
        keys.Number(pairs.Rows);
        var keyOfPair = pairs.Rows.Select(r => keys.Id((string)r[0]!, (string)r[1]!)).ToArray();
        // A pair the pairs query did not see, or more touches than it counted: the input changed in between. Two paths
        // whose ids hash alike would be one path, seen as a repeated position.
        if (slices.FirstOrDefault(x => !x.ResolvePairs(pairOf, keyOfPair)) is { } unresolved) return Fallback(unresolved.Refusal!);
        if (slices.Sum(x => (long)x.TouchCount) > pairs.Rows.Sum(r => Convert.ToInt64(r[3], System.Globalization.CultureInfo.InvariantCulture)))
            return Fallback("the touches differ from their pairs' count");
        var (channelNames, channelOf) = Channels(keys);
        if (PathRuns.ToPaths(slices, channelOf, out var refusal) is not { } paths) return Fallback(refusal!);
        var pathCount = paths.Count;
        bool[] converted;
        double[] values;
        string?[] pathIds;
        long[] convertedAt;
        if (convertingRead is null)
        {
            (converted, values) = (paths.Converted!, paths.Values!);
            var convertingCount = converted.Count(c => c);
            (pathIds, convertedAt) = (new string?[convertingCount], new long[convertingCount]);
            for (var (path, c) = (0, 0); path < pathCount; path++)
                if (converted[path]) convertedAt[c++] = paths.ConvertedAt![path];
        }
        else
        {
            var outlines = await convertingRead.ConfigureAwait(false);
            // Each converting path found by its hash: the converting rows sorted by hash and walked beside the paths' hashes,
            // which come sorted.
            var (rowHashes, rowOrder) = (outlines.Hashes!.AsSpan(0, outlines.Count).ToArray(), new int[outlines.Count]);
            for (var r = 0; r < rowOrder.Length; r++) rowOrder[r] = r;
            Array.Sort(rowHashes, rowOrder);
            var row = new int[pathCount];
            (converted, values) = (new bool[pathCount], new double[pathCount]);
            for (var (r, path) = (0, 0); r < rowHashes.Length; r++)
            {
                while (path < pathCount && paths.Hashes[path] < rowHashes[r]) path++;
                if (path == pathCount || paths.Hashes[path] != rowHashes[r]) throw new InvalidOperationException("the input changed while its paths were read; run the step again.");
                if (converted[path]) return Fallback("two converting paths' ids hash alike");
                (converted[path], values[path], row[path]) = (true, outlines.Values[rowOrder[r]], rowOrder[r]);
            }
            (pathIds, convertedAt) = (new string?[outlines.Count], new long[outlines.Count]);
            for (var (path, c) = (0, 0); path < pathCount; path++)
                if (converted[path]) (pathIds[c], convertedAt[c++]) = (outlines.Ids[row[path]], outlines.ConvertedAt[row[path]]);
        }
        var days = Days(convertedAt, convertedAt.Length, zone);
        return new Journeys(new PathSet(channelNames, paths.Starts, paths.Channels, converted, values, paths.Ages, paths.AgeStarts), pathIds, convertedAt, days, paths.Starts, paths.Keys);

        Journeys? Fallback(string why)
        {
            log($"{why}: the paths are read again, outlined in id order");
            return null;
        }
    }

    // Tables smaller than this per core are read in one scan: splitting costs a query and a thread for no gain.
    private const long RowsPerRange = 500_000;

    // The ranges of the table's stored rows to scan side by side, with each range's share of the rows: one per core where
    // the engine numbers stored rows and the table is large, else one range of the whole table (no row filter); and the
    // number of stored rows where the engine numbers them. A view has no stored row number: the engine refuses it, and the
    // view is read in one scan.
    private static async Task<(IReadOnlyList<((long From, long To)? Rows, double Share)> Ranges, long? StoredRows)> StoredRangesAsync(
        IWarehouse w, string table, CancellationToken cancellationToken)
    {
        var whole = new List<((long, long)?, double)> { (null, 1.0) };
        if (w.Dialect.StoredRowNumber is not { } rowNumber) return (whole, null);
        long rows;
        try
        {
            rows = Convert.ToInt64(await w.ScalarAsync($"SELECT coalesce(max({rowNumber}) + 1, 0) FROM {table}", null, cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (System.Data.Common.DbException)
        {
            return (whole, null);
        }
        var count = (int)Math.Min(Math.Min(Environment.ProcessorCount, 4), rows / RowsPerRange);
        if (count < 2) return (whole, rows);
        return (Enumerable.Range(0, count).Select(i => (((long, long)?)(rows * i / count, i == count - 1 ? long.MaxValue : rows * (i + 1) / count), 1.0 / count)).ToList(), rows);
    }

    // Two reads: each path's outcome, touch count and id hash in path_id order (a row per path, the i-th numbered i), then
    // each touch's path and (channel, campaign) number, position and age, unordered: the touches are placed by path and
    // put in position order here, so the engine never sorts the touches by a text id (three times this read's cost). A
    // touch's path is found by the hash of its id (the engine's 64-bit text hash; a run of touches with one hash looks it
    // up once), which spares the engine a second GROUP BY of the text ids, their numbering sort and the join of every
    // touch to it (about 0.9 of the engine's 1.6 CPU s for this read at 1M paths); where the engine has no text hash or
    // two paths' hashes collide, the touch read numbers the paths in SQL instead, its path number and pair number packed
    // in one integer. Both reads come in column batches (IWarehouse.ReadColumnsAsync), no call or box per value. No text is built per touch: a path's touches joined into one
    // string by an ordered aggregate cost ten times this read. The pairs are numbered by joining a bound VALUES list, which
    // the engine knows to be small (a derived table of the distinct pairs was taken for the large side of the join).
    // converted, value and converted_at are the path's own (journey.conversion_paths repeats them on every touch); ages
    // (time decay's input) are kept for converting paths only. Touches without a path id belong to no path.
    private static async Task<Journeys> ReadAsync(IWarehouse w, string input, TouchKeys keys, TimeZoneInfo zone, Action<string> log, CancellationToken cancellationToken)
    {
        var table = w.Dialect.Quote(input);
        const string campaign = "coalesce(CAST(campaign AS VARCHAR), '')";
        // The pairs are only needed by the touch read: their query runs beside the outline's, whose rows this thread reads.
        var pairsRead = Task.Run(() => w.QueryAsync($"SELECT DISTINCT channel, {campaign} FROM {table} WHERE channel IS NOT NULL", null, int.MaxValue, cancellationToken), cancellationToken);
        const string touched = "channel IS NOT NULL AND path_id IS NOT NULL";
        var (bigint, real, text) = (w.Dialect.TypeName(DataKind.Integer), w.Dialect.TypeName(DataKind.Number), w.Dialect.TypeName(DataKind.Text));
        // Where the engine hashes text, each path's hash comes with its outline and tells its touches apart below (null
        // when two paths share one: then the touches are numbered in SQL, as on an engine without a hash).
        var hash = w.Dialect.TextHash($"CAST(path_id AS {text})");
        var outlines = new PathOutlines(hashed: hash is not null);
        try
        {
            await foreach (var b in w.ReadColumnsAsync($"""
                SELECT CASE WHEN max(CASE WHEN converted THEN 1 ELSE 0 END) = 1 THEN CAST(path_id AS {text}) END, max(CASE WHEN converted THEN 1 ELSE 0 END) = 1, CAST(max(conversion_value) AS {real}), max(converted_at), CAST(count(*) AS {bigint}),
                    {hash ?? "CAST(0 AS " + bigint + ")"}
                FROM {table} WHERE {touched} GROUP BY path_id ORDER BY path_id
                """, null, OutlineKinds, cancellationToken).ConfigureAwait(false))
                outlines.Add(b);
        }
        finally
        {
            // Never left running past the step (a failed outline read rethrows its own error, not this one's).
            await ((Task)pairsRead).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        var pairs = await pairsRead.ConfigureAwait(false);
        if (pairs.Rows.Count == 0) return new Journeys(new PathSet([], [0], [], [], []), [], [], [], [0], []);
        var pathCount = outlines.Count;
        outlines.Trim();
        var q = new SqlBuilder(w.Dialect);
        keys.Number(pairs.Rows);
        var values = string.Join(", ", pairs.Rows.Select(r => $"({q.Bind(r[0], DataKind.Text)}, {q.Bind(r[1], DataKind.Text)}, {keys.Id((string)r[0]!, (string)r[1]!)})"));

        var pathHashes = outlines.Hashes;
        var pathOfHash = pathHashes is null ? null : new PathsByHash(pathHashes, pathCount);
        for (var path = 0; pathOfHash is not null && path < pathCount; path++)
            if (!pathOfHash.TryAdd(path)) pathOfHash = null;
        // Each path's touches go to its own slice of three arrays; a slice fills in the order the engine sends them.
        var start = new int[pathCount + 1];
        for (var i = 0; i < pathCount; i++) start[i + 1] = start[i] + outlines.Touches[i];
        var filled = new int[pathCount];
        // Every slot is written below (or the read fails), so the arrays need no clearing.
        var (positions, touchKeys, ages) = (GC.AllocateUninitializedArray<long>(start[^1]), GC.AllocateUninitializedArray<int>(start[^1]), GC.AllocateUninitializedArray<double>(start[^1]));
        var pairJoin = $"JOIN (VALUES {values}) AS k(channel, campaign, touch_key) ON k.channel = t.channel AND k.campaign = {campaign.Replace("campaign", "t.campaign", StringComparison.Ordinal)}";
        var age = $"CAST(CASE WHEN t.converted THEN coalesce(t.days_before_conversion, 0) ELSE 0 END AS {real})";
        if (pathOfHash is not null)
        {
            // Each touch's path by the hash of its id: no second GROUP BY, numbering sort or join of the text ids in the engine.
            var placed = -1;
            await foreach (var b in w.ReadColumnsAsync($"""
                SELECT {w.Dialect.TextHash($"CAST(t.path_id AS {text})")}, CAST(k.touch_key AS {bigint}), CAST(t.position AS {bigint}), {age}
                FROM {table} t {pairJoin} WHERE t.path_id IS NOT NULL
                """, q.Parameters, HashedTouchKinds, cancellationToken).ConfigureAwait(false))
                placed = PlaceByHash(b, pathHashes!, pathCount, pathOfHash, placed, start, filled, positions, touchKeys, ages);
        }
        else
        {
            // Said, as it is the slower read (at 100k demo customers ~2 s more): a sign of the engine's hash colliding on these ids.
            if (hash is not null) log($"two of the {pathCount:N0} paths' ids hash alike: their touches are numbered in SQL instead");
            await foreach (var b in w.ReadColumnsAsync($"""
                WITH numbered AS (SELECT path_id, row_number() OVER (ORDER BY path_id) - 1 AS n FROM {table} WHERE {touched} GROUP BY path_id)
                SELECT CAST(p.n * {pairs.Rows.Count} + k.touch_key AS {bigint}), CAST(t.position AS {bigint}), {age}
                FROM {table} t JOIN numbered p ON p.path_id = t.path_id {pairJoin}
                """, q.Parameters, TouchKinds, cancellationToken).ConfigureAwait(false))
                Place(b, pairs.Rows.Count, start, filled, positions, touchKeys, ages);
        }
        for (var path = 0; path < pathCount; path++)
            if (filled[path] != outlines.Touches[path]) throw new InvalidOperationException("the input changed while its paths were read; run the step again.");
        return Assemble(keys, pathCount, start, positions, touchKeys, ages, outlines.Converted, outlines.Values, outlines.Ids, outlines.ConvertedAt, zone);
    }

    // The read's arrays made into the models' path set: channels numbered in the keys' order, each converting path's day of
    // conversion, and each path's touches put in position order.
    private static Journeys Assemble(TouchKeys keys, int pathCount, int[] start, long[] positions, int[] touchKeys, double[] ages, bool[] converted, double[] values,
        string?[] ids, long[] convertedAt, TimeZoneInfo zone)
    {
        var (channelNames, channelOf) = Channels(keys);
        var channels = GC.AllocateUninitializedArray<int>(start[^1]);
        InPositionOrder(start, positions, touchKeys, ages, channelOf, channels);
        return new Journeys(new PathSet(channelNames, start, channels, converted, values, ages), ids, convertedAt, Days(convertedAt, converted.Count(c => c), zone), start, touchKeys);
    }

    // The channels numbered in the keys' order, and each key's channel number.
    private static (List<string> Names, int[] ChannelOfKey) Channels(TouchKeys keys)
    {
        var channelNames = new List<string>();
        var channelIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var channelOf = new int[keys.All.Count];
        for (var key = 0; key < channelOf.Length; key++)
        {
            ref var id = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(channelIds, keys.All[key].Channel, out var seen);
            if (!seen)
            {
                id = channelNames.Count;
                channelNames.Add(keys.All[key].Channel);
            }
            channelOf[key] = id;
        }
        return (channelNames, channelOf);
    }

    // Each of the first count converting paths' day of conversion, as its time: the i-th converting path's at [i] (0 for no
    // time). Per converting path, not per path: two thirds of the paths do not convert, and a million days were 4 MB of new pages.
    private static int[] Days(long[] convertedAt, int count, TimeZoneInfo zone)
    {
        var days = GC.AllocateUninitializedArray<int>(count);
        for (var c = 0; c < days.Length; c++)
            // A conversion's day is the reporting zone's, as the ad platforms' spend days are the ad account's.
            days[c] = convertedAt[c] == PathOutlines.NoTime ? 0 : ReportingZone.Day(new DateTime(convertedAt[c]), zone).DayNumber;
        return days;
    }

    // One batch of the touch read placed in its paths' slices, in arrival order. Optimized from its first call (as the
    // other loops over every touch here and in the models): run once per step, these loops otherwise spend their first
    // millions of iterations in the runtime's unoptimized tier and its profiling one.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Place(ColumnBatch b, int keyCount, int[] start, int[] filled, long[] positions, int[] touchKeys, double[] ages)
    {
        var packed = b.Values<long>(0);
        var position = b.Values<long>(1);
        var age = b.Values<double>(2);
        var positionNulls = b.HasNulls(1);
        for (var i = 0; i < b.Count; i++)
        {
            var path = Math.DivRem(packed[i], keyCount, out var touchKey);
            if (path < 0 || path >= filled.Length || filled[path] == start[path + 1] - start[path])
                throw new InvalidOperationException("the input changed while its paths were read; run the step again.");
            var at = start[path] + filled[path]++;
            // NULL positions sort last, as ORDER BY position puts them.
            positions[at] = positionNulls && b.IsNull(1, i) ? long.MaxValue : position[i];
            touchKeys[at] = (int)touchKey;
            ages[at] = age[i];
        }
    }

    // One batch of the hashed touch read placed in its paths' slices, in arrival order; returns the path of its last touch.
    // A touch with the hash of the one before it belongs to the same path (touches of a path mostly come together), and a
    // new run is tried as the next path in id order (the outline's order, often the stored one) before the map, whose
    // table is too large for the cache: at 1M paths the lookups were 4% of the step's CPU.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int PlaceByHash(ColumnBatch b, long[] pathHashes, int paths, PathsByHash pathOfHash, int path, int[] start, int[] filled, long[] positions, int[] touchKeys, double[] ages)
    {
        var hashes = b.Values<long>(0);
        var key = b.Values<long>(1);
        var position = b.Values<long>(2);
        var age = b.Values<double>(3);
        var positionNulls = b.HasNulls(2);
        for (var i = 0; i < b.Count; i++)
        {
            var hash = hashes[i];
            if (path < 0 || hash != pathHashes[path])
            {
                if (path + 1 < paths && pathHashes[path + 1] == hash) path++;
                // A hash no path had: a touch of a path added after the outline was read.
                else if (!pathOfHash.TryGet(hash, out path)) throw new InvalidOperationException("the input changed while its paths were read; run the step again.");
            }
            if (filled[path] == start[path + 1] - start[path]) throw new InvalidOperationException("the input changed while its paths were read; run the step again.");
            var at = start[path] + filled[path]++;
            // NULL positions sort last, as ORDER BY position puts them.
            positions[at] = positionNulls && b.IsNull(2, i) ? long.MaxValue : position[i];
            touchKeys[at] = (int)key[i];
            ages[at] = age[i];
        }
        return path;
    }

    // Each path's touches put in position order, and each touch's channel number set from its key.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void InPositionOrder(int[] start, long[] positions, int[] keys, double[] ages, int[] channelOf, int[] channels)
    {
        for (var path = 0; path + 1 < start.Length; path++)
        {
            var (from, to) = (start[path], start[path + 1]);
            InPositionOrder(positions.AsSpan(from..to), keys.AsSpan(from..to), ages.AsSpan(from..to));
            for (var k = from; k < to; k++) channels[k] = channelOf[keys[k]];
        }
    }

    // A path's touches by position, equal positions in arrival order: an insertion sort, as the touches mostly arrive in order.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void InPositionOrder(Span<long> positions, Span<int> keys, Span<double> ages)
    {
        for (var i = 1; i < positions.Length; i++)
        {
            var (position, key, age) = (positions[i], keys[i], ages[i]);
            var j = i - 1;
            for (; j >= 0 && positions[j] > position; j--) (positions[j + 1], keys[j + 1], ages[j + 1]) = (positions[j], keys[j], ages[j]);
            (positions[j + 1], keys[j + 1], ages[j + 1]) = (position, key, age);
        }
    }

    // A model's totals and its split of one conversion over the path's touches.
    private static (IReadOnlyList<ChannelCredit> Credit, TouchWeights Weights) Attribute(AttributionParameters p, string model, PathSet paths)
    {
        switch (model)
        {
            case "markov_1" or "markov_2" or "markov_3":
                var markov = MarkovAttribution.Compute(paths, model[^1] - '0');
                return (markov.Credit, (path, into) => markov.Weights(paths, path, into));
            case "shapley":
                var shapley = ShapleyAttribution.Compute(paths, p.ShapleyValue, p.ShapleySamples);
                return (shapley.Credit, (path, into) => shapley.Weights(paths, path, into));
            case "shapley_simplified":
                var simplified = ShapleyAttribution.Simplified(paths);
                return (simplified.Credit, (path, into) => simplified.Weights(paths, path, into));
            default:
                var rule = Enum.Parse<RuleBasedModel>(model.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);
                return (RuleBasedAttribution.Compute(paths, rule, p.HalfLifeDays), (path, into) => RuleBasedAttribution.Weights(paths, path, rule, p.HalfLifeDays, into));
        }
    }
}
