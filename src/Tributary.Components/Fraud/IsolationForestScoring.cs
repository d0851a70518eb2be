using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Analytics.Fraud;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Fraud;

/// <summary>Parameters of <c>analytics.isolation_forest</c>.</summary>
public sealed record IsolationForestParameters : IValidatableObject
{
    /// <summary>Columns that identify a row, copied to the output.</summary>
    [Description("Input columns that identify a row (e.g. [transaction_id]); copied to the output as they are, and the order rows are read in (so a run is reproducible).")]
    public required IReadOnlyList<string> IdColumns { get; init; }

    /// <summary>Numeric columns the forest isolates rows on.</summary>
    [Description("Numeric input columns (INTEGER or DOUBLE) the forest cuts on. A NULL (or NaN, infinity) is replaced by the column's median over the input rows.")]
    public required IReadOnlyList<string> Features { get; init; }

    /// <summary>Axis-parallel or hyperplane cuts.</summary>
    [Description("isolation_forest: one random feature per cut (Liu, Ting & Zhou 2008); extended: random hyperplane cuts (Hariri, Kind & Brunner 2019), free of the axis-aligned artefacts. Default extended.")]
    public IsolationMethod Method { get; init; } = IsolationMethod.Extended;

    /// <summary>Extended method: non-zero slopes per cut, minus one.</summary>
    [Description("Extended method only: how many features beyond one each hyperplane cut uses, from 0 (axis-parallel) to the number of features − 1 (fully extended). Default: features − 1.")]
    public int? ExtensionLevel { get; init; }

    /// <summary>Trees.</summary>
    [Description("Isolation trees in the forest. Default 100.")]
    [Range(1, 10_000)]
    public int Trees { get; init; } = 100;

    /// <summary>Subsample per tree, ψ.</summary>
    [Description("Rows subsampled (without replacement) to grow each tree, ψ; all rows when there are fewer. The papers' default 256.")]
    [Range(2, 1_000_000)]
    public int SampleSize { get; init; } = 256;

    /// <summary>Seed.</summary>
    [Description("Seed of the subsamples and cuts; the same seed and input give the same scores whatever the thread count. Default 42.")]
    public int Seed { get; init; } = 42;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IdColumns is not { Count: > 0 })
            yield return new ValidationResult("id_columns must name at least one column that identifies a row, e.g. [transaction_id].", [nameof(IdColumns)]);
        if (Features is not { Count: > 0 })
            yield return new ValidationResult("features must name at least one numeric column.", [nameof(Features)]);
        var named = (IdColumns ?? []).Concat(Features ?? []).ToList();
        var repeated = named.GroupBy(c => c, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0)
            yield return new ValidationResult($"{string.Join(", ", repeated.Select(c => $"'{c}'"))} named more than once in id_columns and features; name each column once.", [nameof(Features)]);
        var clashes = (IdColumns ?? []).Where(c => IsolationForestScoring.ScoreColumns.Any(s => string.Equals(s.Name, c, StringComparison.OrdinalIgnoreCase))).ToList();
        if (clashes.Count > 0)
            yield return new ValidationResult($"id column '{clashes[0]}' has the name of an output column; rename it upstream.", [nameof(IdColumns)]);
        if (ExtensionLevel is { } level)
        {
            if (Method == IsolationMethod.IsolationForest)
                yield return new ValidationResult("extension_level applies to method: extended only; remove it, or set method: extended.", [nameof(ExtensionLevel)]);
            else if (Features is { Count: > 0 } && (level < 0 || level > Features.Count - 1))
                yield return new ValidationResult($"extension_level must be between 0 and {Features.Count - 1} (features − 1) for {Features.Count} feature{(Features.Count == 1 ? "" : "s")}, got {level}.", [nameof(ExtensionLevel)]);
        }
    }
}

/// <summary>
/// Unsupervised anomaly scores: an Isolation Forest (Liu, Ting &amp; Zhou 2008) or Extended Isolation Forest (Hariri, Kind &amp;
/// Brunner 2019) fitted on the input's numeric features and applied to every row. Writes per row the id columns,
/// <c>anomaly_score</c> s(x, ψ) = 2^(−E[h(x)]/c(ψ)) in (0, 1] (higher is more anomalous; about 0.5 and below is ordinary),
/// <c>anomaly_rank</c> (1 = most anomalous; ties in input order) and <c>top_feature</c>, the feature with the largest
/// isolation credit: over the trees, each cut on the row's path credits the feature(s) it tests with the share of the
/// node's training rows it separates from the row. The <c>importance</c> output gives each feature's mean share of that
/// credit, how many rows it is the top feature of, and the median that stands in for its missing values.
/// </summary>
public sealed class IsolationForestScoring : IComponent<IsolationForestParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.isolation_forest";
    /// <inheritdoc />
    public static string Description => "Score rows for anomalies with an Isolation Forest or Extended Isolation Forest on numeric features, with the feature that isolates each row.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    internal static readonly (string Name, DataKind Kind)[] ScoreColumns =
        [("anomaly_score", DataKind.Number), ("anomaly_rank", DataKind.Integer), ("top_feature", DataKind.Text)];
    private static readonly (string, DataKind)[] ImportanceColumns =
        [("feature", DataKind.Text), ("importance", DataKind.Number), ("top_feature_rows", DataKind.Integer), ("median", DataKind.Number)];
    internal static readonly DeclaredOutput ImportanceOutput = new("importance", OutputRole.Model,
        "A feature's mean share of the isolation credit over all rows, the rows it is the top feature of, and the median that replaces its missing values.",
        Standardize.Schema.Of(ImportanceColumns));
    internal static readonly (string Name, DataKind Kind)[] ForestColumns = StoredModelParts.Columns("forest");
    internal static readonly DeclaredOutput ForestOutput = new("forest", OutputRole.Model,
        "The fitted forest, for online scoring (POST /api/score/transaction): its bytes in base64 split over rows in part order, with the feature names in order (comma-separated).",
        Standardize.Schema.Of(ForestColumns));
    private static readonly DataKind[] Numbers = [DataKind.Integer, DataKind.Number];

    /// <inheritdoc />
    public ComponentPlan Plan(IsolationForestParameters p, PlanContext context)
    {
        var input = context.Inputs.Count > 0 ? context.Inputs[0].Schema : null;
        var ids = p.IdColumns.Select(c => input?.Find(c) is { } column ? new ColumnSchema(c, column.SqlType, IdKind(column.Kind)) : null).ToList();
        var output = input is null || ids.Contains(null) ? null
            : new TableSchema([.. ids.Select(c => c!), .. Standardize.Schema.Of(ScoreColumns).Columns]);
        List<ColumnRequirement> requires =
        [
            .. p.IdColumns.Select(c => new ColumnRequirement(0, c, [], "Set id_columns to the columns that identify a row.")),
            .. p.Features.Select(c => new ColumnRequirement(0, c, Numbers, "Features must be INTEGER or DOUBLE; cast the column upstream (a boolean as 0/1).")),
        ];
        return new ComponentPlan(output, requires) { SideOutputs = [ImportanceOutput, ForestOutput], MainDescription = "One input row with its anomaly score, rank and the feature that isolates it." };
    }

    // Ids of a kind the writer cannot hold (lists, structs) are written as text.
    private static DataKind IdKind(DataKind kind) => kind == DataKind.Other ? DataKind.Text : kind;

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(IsolationForestParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var d = w.Dialect;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var schema = await w.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"input table '{context.Inputs[0]}' does not exist.");
        var idKinds = p.IdColumns.Select(c => IdKind(schema.Find(c)?.Kind
            ?? throw new InputDataException($"input '{context.Inputs[0]}' has no column '{c}'."))).ToArray();
        var columns = p.Features.Count;
        var ids = p.IdColumns.Select(_ => new List<object?>()).ToArray();
        var values = new double[1024 * columns];
        var rows = 0;
        // Ids cast to their portable kind's type, features to DOUBLE; ordered by the ids so the subsamples are reproducible.
        var select = string.Join(", ", p.IdColumns.Select((c, i) => $"CAST({d.Quote(c)} AS {d.TypeName(idKinds[i])})")
            .Concat(p.Features.Select(f => $"CAST({d.Quote(f)} AS {d.TypeName(DataKind.Number)})")));
        // Text ids in byte order, as DuckDB sorts them whatever PostgreSQL's collation: the same subsamples on both engines.
        var order = string.Join(", ", p.IdColumns.Select((c, i) => idKinds[i] == DataKind.Text ? d.ByteOrder($"CAST({d.Quote(c)} AS {d.TypeName(DataKind.Text)})") : d.Quote(c)));
        await foreach (var r in w.StreamRecordsAsync($"SELECT {select} FROM {d.Quote(context.Inputs[0])} ORDER BY {order}", null, cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < ids.Length; i++) ids[i].Add(r.IsDBNull(i) ? null : r.GetValue(i));
            if ((rows + 1) * columns > values.Length) Array.Resize(ref values, values.Length * 2);
            for (var j = 0; j < columns; j++) values[rows * columns + j] = r.IsDBNull(ids.Length + j) ? double.NaN : r.GetDouble(ids.Length + j);
            rows++;
        }
        if (rows == 0) throw new InputDataException($"input '{context.Inputs[0]}' has no rows to score.");
        Array.Resize(ref values, rows * columns);
        context.Log($"read {rows:N0} rows of {columns} features in {watch.Elapsed.TotalSeconds:0.0}s");
        watch.Restart();

        var options = new IsolationForestOptions { Method = p.Method, ExtensionLevel = p.ExtensionLevel, Trees = p.Trees, SampleSize = p.SampleSize, Seed = p.Seed };
        var model = IsolationForest.Fit(values, columns, options, cancellationToken);
        var result = model.Explain(values, cancellationToken);
        var rank = Ranks(result.Scores);
        var extension = p.Method == IsolationMethod.IsolationForest ? 0 : p.ExtensionLevel ?? columns - 1;
        context.Log($"{Name(p.Method)} of {model.Trees} trees (ψ = {model.SampleSize}{(p.Method == IsolationMethod.Extended ? $", extension level {extension}" : "")}, {model.Nodes:N0} nodes) fitted and scored in {watch.Elapsed.TotalSeconds:0.0}s");

        var outputColumns = p.IdColumns.Select((c, i) => (c, idKinds[i])).Concat(ScoreColumns).ToList();
        var topRows = new long[columns];
        foreach (var t in result.TopFeature) topRows[t]++;
        var importance = Enumerable.Range(0, columns)
            .Select(j => new object?[] { p.Features[j], result.Importance[j], topRows[j], model.Medians[j] }).ToList();
        var written = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(outputColumns, Rows(ids, result, rank, p.Features), ct)),
            new TableWrite(context.Output(ImportanceOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(ImportanceColumns, importance, ct)),
            new TableWrite(context.Output(ForestOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(ForestColumns, ForestRows(model, p.Features), ct)),
        ], cancellationToken).ConfigureAwait(false);
        var mean = result.Scores.Average();
        return new Materialization(written[0], new Dictionary<string, object?>
        {
            ["method"] = Name(p.Method), ["trees"] = model.Trees, ["sample_size"] = model.SampleSize, ["extension_level"] = extension,
            ["normalizer"] = model.Normalizer, ["mean_score"] = mean, ["max_score"] = result.Scores.Max(),
            ["rows_above_0_6"] = result.Scores.Count(s => s > 0.6), ["importance_table"] = context.Output(ImportanceOutput.Name),
        });
    }

    private static string Name(IsolationMethod method) => method == IsolationMethod.IsolationForest ? "isolation_forest" : "extended";

    // Rows built as the writer asks for them, so a million are never held as arrays at once.
    private static IEnumerable<object?[]> Rows(List<object?>[] ids, IsolationScores result, long[] rank, IReadOnlyList<string> features)
    {
        for (var i = 0; i < result.Scores.Length; i++)
        {
            var row = new object?[ids.Length + 3];
            for (var k = 0; k < ids.Length; k++) row[k] = ids[k][i];
            (row[ids.Length], row[ids.Length + 1], row[ids.Length + 2]) = (result.Scores[i], rank[i], features[result.TopFeature[i]]);
            yield return row;
        }
    }

    private static IEnumerable<object?[]> ForestRows(IsolationForestModel model, IReadOnlyList<string> features) => StoredModelParts.Rows(model.ToBytes(), features);

    /// <summary>The forest stored by a run, with its feature names, read back from the forest output table.</summary>
    internal static async Task<(IsolationForestModel Model, IReadOnlyList<string> Features)> ReadForestAsync(IWarehouse warehouse, string table, CancellationToken cancellationToken) =>
        await StoredModelParts.ReadAsync(warehouse, table, "forest", cancellationToken).ConfigureAwait(false) is { } stored
            ? (IsolationForestModel.Read(stored.Bytes), stored.Features)
            : throw new InvalidDataException($"'{table}' holds no forest; run the pipeline again.");

    // 1 = highest score; equal scores keep input order.
    private static long[] Ranks(double[] scores)
    {
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var keys = scores.Select(s => -s).ToArray();
        Array.Sort(keys, order);
        // Array.Sort is unstable: restore input order within runs of equal scores.
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && keys[j + 1] == keys[i]) j++;
            if (j > i) Array.Sort(order, i, j - i + 1);
            i = j + 1;
        }
        var rank = new long[scores.Length];
        for (var r = 0; r < order.Length; r++) rank[order[r]] = r + 1;
        return rank;
    }
}
