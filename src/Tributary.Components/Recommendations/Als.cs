using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Analytics.Recommendations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Recommendations;

/// <summary>Parameters of <c>recs.als</c>.</summary>
public sealed record AlsParameters
{
    /// <summary>Latent factors.</summary>
    [Description("Latent factors per customer and item. Default 32.")]
    [Range(1, 512)]
    public int Factors { get; init; } = 32;

    /// <summary>Regularization λ.</summary>
    [Description("Regularization λ on the factors (Hu, Koren & Volinsky 2008, eq. 3). Default 0.1.")]
    [Range(0, 1000)]
    public double Regularization { get; init; } = 0.1;

    /// <summary>Confidence slope α.</summary>
    [Description("Confidence slope α: an interaction of weight r counts with confidence 1 + α·r. Default 20.")]
    [Range(0, 10000)]
    public double Alpha { get; init; } = 20;

    /// <summary>Sweeps.</summary>
    [Description("Alternating sweeps over customers and items. Default 15.")]
    [Range(1, 200)]
    public int Iterations { get; init; } = 15;

    /// <summary>CG steps per row.</summary>
    [Description("Conjugate-gradient steps per customer or item and sweep (Takács et al. 2011 use 3). Default 3.")]
    [Range(1, 100)]
    public int ConjugateGradientSteps { get; init; } = 3;

    /// <summary>Candidates kept per customer.</summary>
    [Description("Best-scoring items kept per customer, before recs.for_customers applies exclusions and business rules. Default 100.")]
    [Range(1, 10000)]
    public int Candidates { get; init; } = 100;

    /// <summary>Seed.</summary>
    [Description("Seed of the initial factors, so a run is reproducible. Default 42.")]
    public int Seed { get; init; } = 42;

    internal ImplicitAlsOptions Options => new(Factors, Regularization, Alpha, Iterations, ConjugateGradientSteps, Seed);
}

/// <summary>
/// Implicit-feedback ALS (Hu, Koren &amp; Volinsky 2008) with the conjugate-gradient solver (Takács et al. 2011) on a
/// <c>recs.interactions</c> table: each customer's best-scoring items (owned ones included; recs.for_customers excludes
/// them), and the fit's loss per sweep in its <c>model</c> output.
/// </summary>
public sealed class Als : IComponent<AlsParameters>
{
    /// <inheritdoc />
    public static string TypeName => "recs.als";
    /// <inheritdoc />
    public static string Description => "Collaborative filtering by implicit ALS (Hu, Koren & Volinsky 2008): each customer's best-scoring items.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    internal static readonly (string, DataKind)[] Columns =
        [("customer_id", DataKind.Text), ("sku", DataKind.Text), ("score", DataKind.Number), ("rank", DataKind.Integer), ("because_sku", DataKind.Text)];
    private static readonly (string, DataKind)[] ModelColumns = [("parameter", DataKind.Text), ("value", DataKind.Number)];
    private static readonly (string, DataKind)[] FactorColumns = [("side", DataKind.Text), ("id", DataKind.Text), ("factor", DataKind.Integer), ("value", DataKind.Number)];
    private static readonly DeclaredOutput ModelOutput = new("model", OutputRole.Model, "A fit statistic: sizes, settings and the training loss after each sweep.", Standardize.Schema.Of(ModelColumns));
    private static readonly DeclaredOutput FactorsOutput = new("factors", OutputRole.Model,
        "One latent factor of the fit: side (customer or item), its id, the factor's index (0-based) and value; x_u · y_i is the ALS score.", Standardize.Schema.Of(FactorColumns));

    /// <inheritdoc />
    public ComponentPlan Plan(AlsParameters parameters, PlanContext context) =>
        new(Standardize.Schema.Of(Columns), InteractionNeeds)
        {
            SideOutputs = [ModelOutput, FactorsOutput],
            MainDescription = "A customer and one of their best-scoring items with its ALS score, rank (1 best) and the customer's item that contributes most to "
                + "the score (Hu, Koren & Volinsky 2008, §5).",
        };

    internal static readonly IReadOnlyList<ColumnRequirement> InteractionNeeds =
    [
        new(0, "customer_id", [], "Use a recs.interactions table as input."), new(0, "sku", [], "Use a recs.interactions table as input."),
        new(0, "weight", [DataKind.Number, DataKind.Integer], "Use a recs.interactions table as input."),
    ];

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(AlsParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var data = await InteractionData.ReadAsync(context, context.Inputs[0], "customer_id", "sku", "weight", cancellationToken).ConfigureAwait(false);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var model = ImplicitAls.Fit(data.Matrix, p.Options with { TrackLoss = true }, cancellationToken);
        var fitted = watch.Elapsed;
        context.Log($"ALS on {data.Customers.Length:N0} customers × {data.Items.Length:N0} items ({data.Matrix.Count:N0} interactions), {p.Factors} factors: "
            + $"{p.Iterations} sweeps in {fitted.TotalSeconds:0.0}s, loss {model.Loss[0]:0.0} → {model.Loss[^1]:0.0}");
        var rows = Candidates(model, data, p, cancellationToken);
        // The fit's time goes to the step's metadata, not the table: a measured time would make a re-run change the model card.
        List<object?[]> stats =
        [
            ["customers", (double)data.Customers.Length], ["items", (double)data.Items.Length], ["interactions", (double)data.Matrix.Count],
            ["factors", (double)p.Factors], ["regularization", p.Regularization], ["alpha", p.Alpha],
            .. model.Loss.Select((l, i) => new object?[] { $"loss_{i + 1}", l }),
        ];
        var written = await context.Warehouse.WriteTablesAsync(
        [
            new(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct)),
            new(context.Output(ModelOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(ModelColumns, stats, ct)),
            new(context.Output(FactorsOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(FactorColumns, Factors(model, data), ct)),
        ], cancellationToken).ConfigureAwait(false);
        return new Materialization(written[0], new Dictionary<string, object?> { ["loss"] = model.Loss[^1], ["seconds_per_sweep"] = fitted.TotalSeconds / p.Iterations });
    }

    // Each customer's best items, each with the item of their history that contributes most to its score (HKV 2008, §5).
    private static List<object?[]> Candidates(ImplicitAlsModel model, InteractionData data, AlsParameters p, CancellationToken cancellationToken)
    {
        var lists = new int[data.Customers.Length][];
        var scores = new double[data.Customers.Length][];
        var because = new int[data.Customers.Length][];
        var explanation = new AlsExplanation(model.ItemFactors, model.Factors, p.Regularization, p.Alpha);
        var m = data.Matrix;
        Parallel.For(0, data.Customers.Length, new ParallelOptions { CancellationToken = cancellationToken }, () => new double[data.Items.Length], (u, _, buffer) =>
        {
            model.Score(u, buffer);
            var list = TopN.Indexes(buffer, p.Candidates);
            var (from, to) = (m.RowStart[u], m.RowStart[u + 1]);
            var why = explanation.For(m.Columns.AsSpan(from, to - from), m.Values.AsSpan(from, to - from));
            scores[u] = new double[list.Length];
            because[u] = new int[list.Length];
            for (var r = 0; r < list.Length; r++) (scores[u][r], because[u][r]) = (buffer[list[r]], why?.Because(list[r]) ?? -1);
            lists[u] = list;
            return buffer;
        }, _ => { });
        var rows = new List<object?[]>();
        for (var u = 0; u < lists.Length; u++)
            for (var r = 0; r < lists[u].Length; r++)
                rows.Add([data.Customers[u], data.Items[lists[u][r]], scores[u][r], (long)(r + 1), because[u][r] < 0 ? null : data.Items[because[u][r]]]);
        return rows;
    }

    private static IEnumerable<object?[]> Factors(ImplicitAlsModel model, InteractionData data)
    {
        for (var u = 0; u < data.Customers.Length; u++)
            for (var f = 0; f < model.Factors; f++) yield return ["customer", data.Customers[u], (long)f, model.UserFactors[u * model.Factors + f]];
        for (var i = 0; i < data.Items.Length; i++)
            for (var f = 0; f < model.Factors; f++) yield return ["item", data.Items[i], (long)f, model.ItemFactors[i * model.Factors + f]];
    }
}
