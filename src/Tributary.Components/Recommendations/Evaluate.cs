using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Recommendations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Recommendations;

/// <summary>Parameters of <c>recs.evaluate</c>.</summary>
public sealed record EvaluateParameters : IValidatableObject
{
    /// <summary>Customer column.</summary>
    [Description("Input column holding the customer. Default customer_id.")]
    public string CustomerColumn { get; init; } = "customer_id";

    /// <summary>Item column.</summary>
    [Description("Input column holding the item (product SKU). Default sku.")]
    public string ItemColumn { get; init; } = "sku";

    /// <summary>Date column.</summary>
    [Description("Input column holding the event's date or timestamp. Default ordered_at.")]
    public string DateColumn { get; init; } = "ordered_at";

    /// <summary>Quantity column.</summary>
    [Description("Input column holding a quantity that multiplies the weight; unset counts each row once.")]
    public string? QuantityColumn { get; init; }

    /// <summary>Last training day.</summary>
    [Description("Last day (YYYY-MM-DD) of training; events after it are the test. Default: holdout_days before the last event.")]
    public string? SplitDate { get; init; }

    /// <summary>Test days when split_date is not set.</summary>
    [Description("Days at the end held out for the test when split_date is not set. Default 60.")]
    [Range(1, 3650)]
    public int HoldoutDays { get; init; } = 60;

    /// <summary>List length evaluated.</summary>
    [Description("Length k of the recommendation lists the metrics are computed on (precision@k, NDCG@k...). Default 10.")]
    [Range(1, 1000)]
    public int K { get; init; } = 10;

    /// <summary>Half-life of the training weights.</summary>
    [Description("Days after which a training event counts half (as recs.interactions half_life_days); 0 turns decay off. Default 0.")]
    [Range(0, 36500)]
    public double HalfLifeDays { get; init; }

    /// <summary>ALS factors.</summary>
    [Description("Latent factors of the ALS model evaluated. Default: as recs.als.")]
    [Range(1, 512)]
    public int? Factors { get; init; }

    /// <summary>ALS regularization.</summary>
    [Description("Regularization λ of the ALS model evaluated. Default: as recs.als.")]
    [Range(0, 1000)]
    public double? Regularization { get; init; }

    /// <summary>ALS confidence slope.</summary>
    [Description("Confidence slope α of the ALS model evaluated. Default: as recs.als.")]
    [Range(0, 10000)]
    public double? Alpha { get; init; }

    /// <summary>ALS sweeps.</summary>
    [Description("Sweeps of the ALS model evaluated. Default: as recs.als.")]
    [Range(1, 200)]
    public int? Iterations { get; init; }

    /// <summary>Seed.</summary>
    [Description("Seed of the ALS model evaluated. Default: as recs.als.")]
    public int? Seed { get; init; }

    /// <summary>Item-item neighbours.</summary>
    [Description("Neighbours per item of the item-item model evaluated. Default: as recs.item_similarity.")]
    [Range(1, 1000)]
    public int? Neighbours { get; init; }

    /// <summary>Item-item shrinkage.</summary>
    [Description("Shrinkage of the item-item model evaluated. Default: as recs.item_similarity.")]
    [Range(0, 100000)]
    public double? Shrinkage { get; init; }

    /// <summary>Item-item minimum support.</summary>
    [Description("Minimum support of the item-item model evaluated. Default: as recs.item_similarity.")]
    [Range(1, 1000000)]
    public int? MinSupport { get; init; }

    /// <summary>The ALS settings: recs.als defaults where not given.</summary>
    internal AlsParameters Als
    {
        get
        {
            var d = new AlsParameters();
            return d with
            {
                Factors = Factors ?? d.Factors, Regularization = Regularization ?? d.Regularization, Alpha = Alpha ?? d.Alpha,
                Iterations = Iterations ?? d.Iterations, Seed = Seed ?? d.Seed,
            };
        }
    }

    /// <summary>The item-item settings: recs.item_similarity defaults where not given.</summary>
    internal ItemSimilarityParameters ItemSimilarity
    {
        get
        {
            var d = new ItemSimilarityParameters();
            return d with { Neighbours = Neighbours ?? d.Neighbours, Shrinkage = Shrinkage ?? d.Shrinkage, MinSupport = MinSupport ?? d.MinSupport };
        }
    }

    /// <summary>The split date as a date, if given.</summary>
    public DateOnly? Split => DateOnly.TryParseExact(SplitDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SplitDate is not null && Split is null) yield return new ValidationResult($"split_date must be a date as YYYY-MM-DD, got '{SplitDate}'.", [nameof(SplitDate)]);
    }
}

/// <summary>
/// The model card of product recommendations: a temporal holdout (train on events up to a date, test on what customers
/// took up after it that they had not before), with precision, recall, MAP and NDCG at k, hit rate, catalog coverage and
/// novelty for ALS, item-item and the popularity baseline side by side, each trained on the same data.
/// </summary>
public sealed class Evaluate : IComponent<EvaluateParameters>
{
    /// <inheritdoc />
    public static string TypeName => "recs.evaluate";
    /// <inheritdoc />
    public static string Description => "Evaluate ALS, item-item and popularity on a temporal holdout: precision, recall, MAP, NDCG at k, coverage, novelty.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    internal static readonly (string, DataKind)[] Columns =
    [
        ("model", DataKind.Text), ("k", DataKind.Integer), ("users", DataKind.Integer), ("precision", DataKind.Number), ("recall", DataKind.Number),
        ("map", DataKind.Number), ("ndcg", DataKind.Number), ("hit_rate", DataKind.Number), ("coverage", DataKind.Number), ("novelty", DataKind.Number),
        ("ndcg_lift", DataKind.Number), ("split_date", DataKind.Date),
    ];

    /// <inheritdoc />
    public ComponentPlan Plan(EvaluateParameters p, PlanContext context)
    {
        List<ColumnRequirement> needs =
        [
            new(0, p.CustomerColumn, []), new(0, p.ItemColumn, []),
            new(0, p.DateColumn, [DataKind.Date, DataKind.Timestamp], "Set date_column to a DATE or TIMESTAMP column, or cast it upstream."),
        ];
        if (p.QuantityColumn is { } quantity) needs.Add(new(0, quantity, [DataKind.Integer, DataKind.Number]));
        return new ComponentPlan(Standardize.Schema.Of(Columns), needs)
        {
            MainDescription = "A model's ranking quality at k on the temporal holdout, with its NDCG lift over the popularity baseline.",
        };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(EvaluateParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var events = await InteractionEvents.ReadAsync(context, context.Inputs[0], new EventColumns(p.CustomerColumn, p.ItemColumn, p.DateColumn, p.QuantityColumn, null),
            null, cancellationToken).ConfigureAwait(false);
        if (events.Count == 0) throw new InputDataException($"input '{context.Inputs[0]}' has no events with a customer, item and date.");
        var split = p.Split ?? events.Max(e => e.Day).AddDays(-p.HoldoutDays);
        var noWeights = new Dictionary<string, double>();
        var train = InteractionData.From(events.Where(e => e.Day <= split).Select(e => (e.Customer, e.Item, InteractionEvents.Weight(e, noWeights, p.HalfLifeDays, split))));
        if (train.Customers.Length == 0) throw new InputDataException($"no events on or before the split date {split:yyyy-MM-dd}; set split_date later.");
        var relevant = Holdout(events, split, train);
        var users = relevant.Count(r => r.Count > 0);
        if (users == 0) throw new InputDataException($"no customer known before {split:yyyy-MM-dd} took up a new item after it; set split_date earlier or holdout_days longer.");
        var popularity = train.Popularity();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var results = new List<(string Model, RankingScores Scores)>();

        var popular = popularity.Select(x => x).ToArray();
        results.Add(("popular", Score(train, relevant, p.K, (u, scores, _) => popular.CopyTo(scores, 0), popularity, cancellationToken)));
        var neighbours = ItemSimilarity.Compute(train.Matrix, p.ItemSimilarity.Options, cancellationToken);
        results.Add(("item_similarity", Score(train, relevant, p.K, (u, scores, because) =>
        {
            var (from, to) = (train.Matrix.RowStart[u], train.Matrix.RowStart[u + 1]);
            ItemSimilarity.Score(neighbours, train.Matrix.Columns.AsSpan(from, to - from), train.Matrix.Values.AsSpan(from, to - from), scores, because);
        }, popularity, cancellationToken)));
        var als = ImplicitAls.Fit(train.Matrix, p.Als.Options, cancellationToken);
        results.Add(("als", Score(train, relevant, p.K, (u, scores, _) => als.Score(u, scores), popularity, cancellationToken)));
        context.Log($"trained on {train.Matrix.Count:N0} interactions through {split:yyyy-MM-dd}, tested on {users:N0} customers in {watch.Elapsed.TotalSeconds:0.0}s");

        var baseline = results[0].Scores.Ndcg;
        var rows = results.Select(r => new object?[]
        {
            r.Model, (long)p.K, (long)r.Scores.Users, r.Scores.Precision, r.Scores.Recall, r.Scores.Map, r.Scores.Ndcg, r.Scores.HitRate, r.Scores.Coverage,
            r.Scores.Novelty, baseline > 0 ? r.Scores.Ndcg / baseline - 1 : null, split,
        }).ToList();
        foreach (var r in results) context.Log($"{r.Model}: NDCG@{p.K} {r.Scores.Ndcg:0.0000}, precision {r.Scores.Precision:0.0000}, recall {r.Scores.Recall:0.0000}, coverage {r.Scores.Coverage:0.00}");
        var written = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct), cancellationToken).ConfigureAwait(false);
        var metadata = new Dictionary<string, object?> { ["split_date"] = split.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["k"] = p.K, ["users"] = users };
        foreach (var r in results) metadata[$"ndcg_{r.Model}"] = r.Scores.Ndcg;
        return new Materialization(written, metadata);
    }

    // For each training customer, the items taken up after the split that they had not had before; items unknown in training
    // get negative ids, so they count as relevant but can never be hit.
    private static List<IReadOnlySet<int>> Holdout(List<DailyEvent> events, DateOnly split, InteractionData train)
    {
        var customers = InteractionData.Index(train.Customers);
        var items = InteractionData.Index(train.Items);
        var unknown = new Dictionary<string, int>(StringComparer.Ordinal);
        var sets = train.Customers.Select(_ => new HashSet<int>()).ToList();
        foreach (var e in events)
        {
            if (e.Day <= split || e.Quantity <= 0 || !customers.TryGetValue(e.Customer, out var u)) continue;
            var i = items.TryGetValue(e.Item, out var known) ? known : unknown.TryGetValue(e.Item, out var n) ? n : unknown[e.Item] = -1 - unknown.Count;
            if (i >= 0 && train.Matrix.Columns.AsSpan(train.Matrix.RowStart[u], train.Matrix.RowStart[u + 1] - train.Matrix.RowStart[u]).BinarySearch(i) >= 0) continue;
            sets[u].Add(i);
        }
        return [.. sets];
    }

    private static RankingScores Score(InteractionData train, List<IReadOnlySet<int>> relevant, int k, Action<int, double[], int[]> score, double[] popularity,
        CancellationToken cancellationToken)
    {
        var ranked = new int[train.Customers.Length][];
        Parallel.For(0, ranked.Length, new ParallelOptions { CancellationToken = cancellationToken },
            () => (Scores: new double[train.Items.Length], Because: new int[train.Items.Length]), (u, _, buffer) =>
        {
            if (relevant[u].Count == 0)
            {
                ranked[u] = [];
                return buffer;
            }
            score(u, buffer.Scores, buffer.Because);
            var (from, to) = (train.Matrix.RowStart[u], train.Matrix.RowStart[u + 1]);
            var owned = train.Matrix.Columns[from..to];
            ranked[u] = TopN.Indexes(buffer.Scores, k, i => Array.BinarySearch(owned, i) >= 0);
            return buffer;
        }, _ => { });
        return RankingMetrics.Evaluate(ranked, relevant, k, popularity);
    }
}
