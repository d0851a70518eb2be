using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Clv;
using Tributary.Analytics.Fitting;
using Tributary.Analytics.Special;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Ltv;

/// <summary>Parameters of <c>analytics.ltv</c>.</summary>
public sealed record LtvParameters : IValidatableObject
{
    /// <summary>Repeat-purchase model.</summary>
    [Description("Repeat-purchase model: bgnbd (Fader, Hardie & Lee 2005) or pareto_nbd (Schmittlein, Morrison & Colombo 1987). Default bgnbd.")]
    public LtvModel Model { get; init; } = LtvModel.Bgnbd;

    /// <summary>Time unit the model is fitted in.</summary>
    [Description("Time unit the model is fitted in: day or week. Default week.")]
    public LtvTimeUnit TimeUnit { get; init; } = LtvTimeUnit.Week;

    /// <summary>Last day of the calibration period.</summary>
    [Description("Last day (YYYY-MM-DD) of the calibration period; orders after it are not fitted. Default: the last order date.")]
    public string? CalibrationEnd { get; init; }

    /// <summary>Last day of an optional holdout period.</summary>
    [Description("Last day (YYYY-MM-DD) of a holdout period after calibration_end; when set, predicted and actual repeat purchases in it are compared.")]
    public string? HoldoutEnd { get; init; }

    /// <summary>Days ahead to predict.</summary>
    [Description("Days ahead to predict purchases and value. Default 365, at most 3650.")]
    [Range(1, 3650)]
    public int HorizonDays { get; init; } = 365;

    /// <summary>Annual discount rate for CLV.</summary>
    [Description("Annual discount rate applied to future value, e.g. 0.1 for 10%. Default 0.1.")]
    [Range(0, 1)]
    public double AnnualDiscountRate { get; init; } = 0.1;

    /// <summary>Repeat orders needed to enter the spend model.</summary>
    [Description("Repeat orders a customer needs to enter the Gamma-Gamma spend fit. Default 1.")]
    [Range(1, 1000)]
    public int MinRepeatOrders { get; init; } = 1;

    /// <summary>Customer id column.</summary>
    [Description("Input column holding the customer id. Default customer_id.")]
    public string CustomerColumn { get; init; } = "customer_id";

    /// <summary>Order date column.</summary>
    [Description("Input column holding the order date or timestamp. Default ordered_at.")]
    public string DateColumn { get; init; } = "ordered_at";

    /// <summary>Order value column.</summary>
    [Description("Input column holding the order value. Default amount.")]
    public string AmountColumn { get; init; } = "amount";

    /// <summary>Parameter draws for clv_low and clv_high, the uncertainty of the expected value (parameters only).</summary>
    [Description("Parameter draws from the fits' asymptotic normal for clv_low and clv_high: the uncertainty of the expected value (parameters only), 5% and 95% of clv under redrawn parameters. Not a range for what a customer will spend (that is clv_p05 to clv_p95). At least 10; 0 turns it off. Scoring time grows with it. Default 50.")]
    [Range(0, 2000)]
    public int IntervalDraws { get; init; } = 50;

    /// <summary>Simulated futures per distinct history for clv_p05 and clv_p95, the 90% prediction interval.</summary>
    [Description("Simulated futures per distinct customer history for clv_p05 and clv_p95, the 90% prediction interval of the customer's discounted value over horizon_days: whether they are still active, how often they buy and what each purchase spends, from the fitted models given their history (parameters at their estimates). At least 100; 0 turns it off. Default 1000.")]
    [Range(0, 100_000)]
    public int PredictionDraws { get; init; } = 1000;

    /// <summary>Seed for the draws.</summary>
    [Description("Seed for the interval draws and the simulated futures, so a run is reproducible. Default 42.")]
    public int Seed { get; init; } = 42;

    /// <summary>The calibration end as a date, if given.</summary>
    public DateOnly? CalibrationEndDate => ParseDate(CalibrationEnd);

    /// <summary>The holdout end as a date, if given.</summary>
    public DateOnly? HoldoutEndDate => ParseDate(HoldoutEnd);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (value, name) in new[] { (CalibrationEnd, nameof(CalibrationEnd)), (HoldoutEnd, nameof(HoldoutEnd)) })
            if (value is not null && ParseDate(value) is null)
                yield return new ValidationResult($"{ToSnake(name)} must be a date as YYYY-MM-DD, got '{value}'.", [name]);
        if (IntervalDraws is > 0 and < 10)
            yield return new ValidationResult($"interval_draws must be 0 (no interval) or at least 10, got {IntervalDraws}.", [nameof(IntervalDraws)]);
        if (PredictionDraws is > 0 and < 100)
            yield return new ValidationResult($"prediction_draws must be 0 (no prediction interval) or at least 100, got {PredictionDraws}.", [nameof(PredictionDraws)]);
        if (HoldoutEnd is not null && CalibrationEnd is null)
            yield return new ValidationResult("holdout_end needs calibration_end: the holdout starts the day after it.", [nameof(HoldoutEnd)]);
        if (HoldoutEndDate is { } h && CalibrationEndDate is { } c && h <= c)
            yield return new ValidationResult($"holdout_end ({HoldoutEnd}) must come after calibration_end ({CalibrationEnd}).", [nameof(HoldoutEnd)]);
    }

    private static string ToSnake(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    private static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
}

/// <summary>Repeat-purchase models.</summary>
public enum LtvModel
{
    /// <summary>BG/NBD.</summary>
    Bgnbd,
    /// <summary>Pareto/NBD.</summary>
    ParetoNbd,
}

/// <summary>Model time units.</summary>
public enum LtvTimeUnit
{
    /// <summary>Days.</summary>
    Day,
    /// <summary>Weeks of 7 days.</summary>
    Week,
}

/// <summary>
/// Customer lifetime value: BG/NBD or Pareto/NBD for purchase count and dropout, Gamma-Gamma for spend, fitted by
/// maximum likelihood on orders, then per customer P(alive), expected purchases, expected order value, discounted CLV,
/// the 90% prediction interval of the customer's value (clv_p05, clv_p95, simulated by <see cref="ValuePrediction"/>) and
/// the uncertainty of the expected value from the parameters alone (clv_low, clv_high). Writes the asset, its <c>model</c> output and,
/// with a holdout, its <c>holdout</c> output, in one transaction.
/// </summary>
public sealed class LtvPrediction : IComponent<LtvParameters>
{
    private static readonly DataKind[] Dates = [DataKind.Date, DataKind.Timestamp];
    private static readonly DataKind[] Numbers = [DataKind.Number, DataKind.Integer];

    /// <inheritdoc />
    public static string TypeName => "analytics.ltv";
    /// <inheritdoc />
    public static string Description => "Predict customer lifetime value with BG/NBD or Pareto/NBD and Gamma-Gamma, fitted on orders.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    /// <inheritdoc />
    public ComponentPlan Plan(LtvParameters parameters, PlanContext context)
    {
        List<(string, DataKind)> columns =
        [
            ("customer_id", DataKind.Text), ("frequency", DataKind.Integer), ("recency", DataKind.Number), ("t", DataKind.Number),
            ("monetary_value", DataKind.Number), ("p_alive", DataKind.Number), ("expected_purchases", DataKind.Number),
            ("expected_order_value", DataKind.Number), ("clv", DataKind.Number), ("clv_low", DataKind.Number), ("clv_high", DataKind.Number),
            ("clv_p05", DataKind.Number), ("clv_p95", DataKind.Number),
        ];
        if (parameters.HoldoutEnd is not null) columns.Add(("holdout_purchases", DataKind.Integer));
        return new ComponentPlan(new TableSchema(columns.Select(c => new ColumnSchema(c.Item1, c.Item2.ToString().ToUpperInvariant(), c.Item2)).ToList()),
        [
            new ColumnRequirement(0, parameters.CustomerColumn, [], "Set customer_column to the column holding the customer id."),
            new ColumnRequirement(0, parameters.DateColumn, Dates, "Set date_column to a DATE or TIMESTAMP column, or cast it upstream."),
            new ColumnRequirement(0, parameters.AmountColumn, Numbers, "Set amount_column to a numeric column, or cast it upstream."),
        ])
        {
            SideOutputs = parameters.HoldoutEnd is null ? [ModelOutput] : [ModelOutput, HoldoutOutput],
        };
    }

    private static readonly (string, DataKind)[] ModelColumns =
        [("model", DataKind.Text), ("parameter", DataKind.Text), ("value", DataKind.Number), ("std_error", DataKind.Number)];
    private static readonly (string, DataKind)[] HoldoutColumns =
        [("calibration_frequency", DataKind.Text), ("customers", DataKind.Integer), ("actual_mean", DataKind.Number), ("predicted_mean", DataKind.Number),
         ("actual_total", DataKind.Integer), ("predicted_total", DataKind.Number)];
    private static readonly DeclaredOutput ModelOutput = new("model", OutputRole.Model,
        "A fitted parameter of the purchase or spend model with its standard error, and fit statistics.", Standardize.Schema.Of(ModelColumns));
    private static readonly DeclaredOutput HoldoutOutput = new("holdout", OutputRole.Diagnostics,
        "Mean and total repeat purchases in the holdout, actual against predicted, by calibration frequency and for all.", Standardize.Schema.Of(HoldoutColumns));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(LtvParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = context.Inputs[0];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // Each phase's process CPU seconds beside its wall time: on a loaded machine only the CPU seconds measure the work.
        var cpu = ProcessCpu();
        string Elapsed()
        {
            var now = ProcessCpu();
            var text = string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalSeconds:0.00}s ({(now - cpu).TotalSeconds:0.00} CPU s)");
            cpu = now;
            watch.Restart();
            return text;
        }
        var calibrationEnd = p.CalibrationEndDate ?? await PurchaseHistory.LastOrderDayAsync(context, input, p.DateColumn, cancellationToken).ConfigureAwait(false);
        var history = await PurchaseHistory.ReadAsync(context, input, p, calibrationEnd, cancellationToken).ConfigureAwait(false);
        if (history.Count < 10)
            throw new InputDataException($"{history.Count} customers have orders on or before {calibrationEnd:yyyy-MM-dd}; the models need at least 10.");
        var unit = p.TimeUnit == LtvTimeUnit.Week ? 7.0 : 1.0;
        var data = new RfmSummary(
            history.Select(h => (double)h.RepeatDays).ToArray(),
            history.Select(h => h.DaysToLast / unit).ToArray(),
            history.Select(h => Math.Max(h.DaysObserved, 1) / unit).ToArray());

        context.Log($"read {history.Count:N0} customers through {calibrationEnd:yyyy-MM-dd} in {Elapsed()}");
        var monetary = history.Select(h => h.RepeatDays > 0 ? h.RepeatValue / h.RepeatDays : 0).ToArray();
        var spendFrequency = data.Frequency.Select(x => x >= p.MinRepeatOrders ? x : 0).ToArray();
        // The spend fit needs nothing of the purchase model's: it runs on another core meanwhile (each fit is serial and
        // deterministic, so running them side by side changes no bit).
        var spendFit = Task.Run(() => (Fit: GammaGamma.Fit(spendFrequency, monetary), Correlation: GammaGamma.FrequencySpendCorrelation(spendFrequency, monetary)),
            cancellationToken);
        // Customers with the same (x, t_x, T) share every model quantity: fit and score the distinct rows once.
        var (distinct, indexOf) = data.Compress();
        var (model, modelFit, draw) = FitRepeatModel(p.Model, distinct);
        var (spend, correlation) = await spendFit.ConfigureAwait(false);
        context.Log($"{model.Name}: {Describe(modelFit)}; gamma_gamma on {spend.Customers} repeat buyers: {Describe(spend.Estimate)}; fitted in {Elapsed()}");
        if (!modelFit.Converged || !spend.Estimate.Converged)
            context.Log("warning: a fit did not converge (the likelihood kept improving toward a boundary); the estimates are the best found. More customers or a longer calibration period help.");
        if (Math.Abs(correlation) > 0.3)
            context.Log($"warning: frequency and spend correlate ({correlation:0.00}); Gamma-Gamma assumes they are independent, so expected order values may be biased.");

        var horizon = p.HorizonDays / unit;
        var unitsPerYear = 365.25 / unit;
        var draws = BuildDraws(p, modelFit, spend, draw);
        var point = Score([model], distinct, horizon, unitsPerYear, p.AnnualDiscountRate, cancellationToken)[0];
        // Each distinct row's discounted purchases under every draw side by side (row-major), as the customers' loop reads them.
        var drawn = DrawnDiscounted(draws.Select(d => d.Model).ToList(), distinct, horizon, unitsPerYear, p.AnnualDiscountRate, cancellationToken);
        context.Log($"scored {distinct.Count:N0} distinct histories under {draws.Count + 1} parameter sets in {Elapsed()}");
        var holdout = p.HoldoutEndDate is { } holdoutEnd
            ? await PurchaseHistory.HoldoutAsync(context, input, p, calibrationEnd, holdoutEnd, cancellationToken).ConfigureAwait(false)
            : null;
        var n = history.Count;
        var holdoutCounts = holdout is null ? null : history.Select(h => (long)holdout.GetValueOrDefault(h.CustomerId)).ToArray();
        var spends = draws.Select(d => d.Spend).ToArray();
        // Below min_repeat_orders the expected order value ignores the customer's spend (x = 0 in Gamma-Gamma), so the
        // interval depends on the distinct history alone: worked out once per such history, not once per customer (most
        // customers of a store never buy again).
        var rowInterval = new (double Low, double High)[spends.Length >= 10 ? distinct.Count : 0];
        if (rowInterval.Length > 0)
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, distinct.Count, 8_192), new ParallelOptions { CancellationToken = cancellationToken }, range =>
            {
                var values = new double[spends.Length];
                for (var j = range.Item1; j < range.Item2; j++)
                    if (distinct.Frequency[j] < p.MinRepeatOrders) rowInterval[j] = Interval(drawn.AsSpan(j * spends.Length, spends.Length), spends, 0, 0, values);
            });
        // Per customer values go into columns (in parallel); the writer takes rows made from them one at a time, so 200k
        // customers never sit in memory as boxed rows. The loops run once per customer within a fraction of a second, so they
        // are optimized from their first call rather than left to the runtime's tiering.
        var (orderValue, low, high) = (new double[n], new double[n], new double[n]);
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        void Value(int start, int end)
        {
            var values = new double[spends.Length];
            for (var i = start; i < end; i++)
            {
                var spendX = data.Frequency[i] >= p.MinRepeatOrders ? data.Frequency[i] : 0;
                orderValue[i] = GammaGamma.ExpectedAverageValue(spend.Parameters, spendX, monetary[i]);
                (low[i], high[i]) = spends.Length < 10 ? (double.NaN, double.NaN)
                    : spendX == 0 ? rowInterval[indexOf[i]] : Interval(drawn.AsSpan(indexOf[i] * spends.Length, spends.Length), spends, spendX, monetary[i], values);
            }
        }
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, n, 8_192), new ParallelOptions { CancellationToken = cancellationToken },
            range => Value(range.Item1, range.Item2));
        context.Log($"valued {history.Count:N0} customers with a {spends.Length}-draw interval of the expected value in {Elapsed()}");
        double[]? p05 = null, p95 = null;
        if (p.PredictionDraws > 0)
        {
            (p05, p95) = ValuePrediction.Interval(model, spend.Parameters, data, spendFrequency, monetary, indexOf.Select(j => point.Alive[j]).ToArray(),
                new ValuePredictionOptions(horizon, unitsPerYear, p.AnnualDiscountRate, p.PredictionDraws, p.Seed), cancellationToken);
            context.Log($"simulated {p.PredictionDraws:N0} futures per distinct history for the 90% prediction interval in {Elapsed()}");
        }
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        object?[] Row(int i)
        {
            var j = indexOf[i];
            var row = new object?[holdoutCounts is null ? 13 : 14];
            (row[0], row[1], row[2], row[3], row[4], row[5]) = (history[i].CustomerId, (long)data.Frequency[i], data.Recency[i], data.Age[i], monetary[i], point.Alive[j]);
            (row[6], row[7], row[8], row[9], row[10]) = (point.Expected[j], orderValue[i], point.Discounted[j] * orderValue[i], Finite(low[i]), Finite(high[i]));
            (row[11], row[12]) = (p05 is null ? null : Finite(p05[i]), p95 is null ? null : Finite(p95[i]));
            if (holdoutCounts is not null) row[13] = holdoutCounts[i];
            return row;
        }
        IEnumerable<object?[]> Rows()
        {
            for (var i = 0; i < n; i++) yield return Row(i);
        }

        var schema = Plan(p, new PlanContext(context.Asset, [])).Output!;
        List<TableWrite> writes =
        [
            new(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(schema.Columns.Select(c => (c.Name, c.Kind)).ToList(), Rows(), ct)),
            ModelTable(context, model, modelFit, spend, correlation, p, history.Count),
        ];
        var metadata = new Dictionary<string, object?>
        {
            ["model"] = model.Name, ["calibration_end"] = calibrationEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["log_likelihood"] = modelFit.LogLikelihood, ["frequency_spend_correlation"] = correlation, ["model_table"] = context.Output(ModelOutput.Name),
            // What the values mean, for a dashboard to say so: clv covers horizon_days; recency and t are in time_unit; no interval when 0 draws.
            ["horizon_days"] = p.HorizonDays, ["time_unit"] = p.TimeUnit.ToString().ToLowerInvariant(), ["annual_discount_rate"] = p.AnnualDiscountRate,
            ["interval_draws"] = spends.Length < 10 ? 0 : spends.Length, ["prediction_draws"] = p.PredictionDraws,
        };
        var (holdoutWrite, actual, predicted) = holdout is null ? default : HoldoutTable(context, model, data, holdoutCounts!, p);
        if (holdoutWrite is not null) writes.Add(holdoutWrite);
        var written = (await context.Warehouse.WriteTablesAsync(writes, cancellationToken).ConfigureAwait(false))[0];
        context.Log($"wrote {written:N0} rows in {Elapsed()}");
        if (holdoutWrite is not null)
        {
            metadata["holdout_actual"] = actual;
            metadata["holdout_predicted"] = predicted;
            context.Log($"holdout: {actual} actual repeat purchases, {predicted:0.0} predicted");
        }
        return new Materialization(written, metadata);
    }

    private static (IRepeatPurchaseModel Model, MaximumLikelihoodFit Fit, Func<double[], IRepeatPurchaseModel> Draw) FitRepeatModel(LtvModel model, RfmSummary data)
    {
        if (model == LtvModel.ParetoNbd)
        {
            var fit = ParetoNbd.Fit(data);
            return (fit.Parameters, fit.Estimate, q => new ParetoNbdParameters(q[0], q[1], q[2], q[3]));
        }
        var bg = BgNbd.Fit(data);
        return (bg.Parameters, bg.Estimate, q => new BgNbdParameters(q[0], q[1], q[2], q[3]));
    }

    private sealed record Draw(IRepeatPurchaseModel Model, GammaGammaParameters Spend);

    // Paired draws of both fits; Gamma-Gamma draws need q > 1 for a finite mean.
    private static List<Draw> BuildDraws(LtvParameters p, MaximumLikelihoodFit model, GammaGammaFit spend, Func<double[], IRepeatPurchaseModel> toModel)
    {
        if (p.IntervalDraws == 0) return [];
        var random = new Random(p.Seed);
        var models = MaximumLikelihood.DrawParameters(model, p.IntervalDraws, random);
        var spends = MaximumLikelihood.DrawParameters(spend.Estimate, p.IntervalDraws, random).Where(s => s[1] > 1).ToList();
        return models.Zip(spends, (m, s) => new Draw(toModel(m), new GammaGammaParameters(s[0], s[1], s[2]))).ToList();
    }

    // P(alive), expected purchases over the horizon, and discounted expected purchases (CLV per unit of order value) per distinct
    // row, under each model (a fit and its draws); BG/NBD scores them all in one parallel pass.
    private static IReadOnlyList<CustomerScores> Score(IReadOnlyList<IRepeatPurchaseModel> models, RfmSummary rows, double horizon, double unitsPerYear, double rate,
        CancellationToken cancellationToken)
    {
        if (models.All(m => m is BgNbdParameters))
            return BgNbd.Score(models.Cast<BgNbdParameters>().ToList(), rows, horizon, unitsPerYear, rate, cancellationToken);
        return models.Select(model =>
        {
            var alive = new double[rows.Count];
            var expected = new double[rows.Count];
            var discounted = new double[rows.Count];
            Parallel.For(0, rows.Count, new ParallelOptions { CancellationToken = cancellationToken }, j =>
            {
                double x = rows.Frequency[j], tx = rows.Recency[j], t = rows.Age[j];
                alive[j] = model.ProbabilityAlive(x, tx, t);
                expected[j] = model.ExpectedPurchases(x, tx, t, horizon);
                discounted[j] = CustomerValue.Discounted(model, x, tx, t, horizon, unitsPerYear, rate, 1);
            });
            return new CustomerScores(alive, expected, discounted);
        }).ToList();
    }

    // Discounted purchases of each distinct row under each draw, row-major ([row · draws + draw]); BG/NBD computes only these.
    private static double[] DrawnDiscounted(List<IRepeatPurchaseModel> models, RfmSummary rows, double horizon, double unitsPerYear, double rate,
        CancellationToken cancellationToken)
    {
        if (models.Count == 0) return [];
        if (models.All(m => m is BgNbdParameters))
            return BgNbd.DiscountedPurchases(models.Cast<BgNbdParameters>().ToList(), rows, horizon, unitsPerYear, rate, cancellationToken);
        var scores = Score(models, rows, horizon, unitsPerYear, rate, cancellationToken);
        var result = new double[rows.Count * models.Count];
        for (var d = 0; d < models.Count; d++)
            for (var j = 0; j < rows.Count; j++) result[j * models.Count + d] = scores[d].Discounted[j];
        return result;
    }

    // The 5% and 95% quantiles of a customer's CLV over the draws: each draw's discounted purchases times its expected
    // order value; values is scratch room, one per draw.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (double Low, double High) Interval(ReadOnlySpan<double> discounted, GammaGammaParameters[] spends, double spendX, double monetary, double[] values)
    {
        for (var d = 0; d < values.Length; d++) values[d] = discounted[d] * GammaGamma.ExpectedAverageValue(spends[d], spendX, monetary);
        return (OrderStatistics.Quantile(values, 0.05), OrderStatistics.Quantile(values, 0.95));
    }

    private static string Describe(MaximumLikelihoodFit fit) =>
        $"LL {fit.LogLikelihood:0.0}, parameters {string.Join(", ", fit.Parameters.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))}";

    private static TableWrite ModelTable(ComponentContext context, IRepeatPurchaseModel model, MaximumLikelihoodFit fit, GammaGammaFit spend,
        double correlation, LtvParameters p, int customers)
    {
        string[] names = model is BgNbdParameters ? ["r", "alpha", "a", "b"] : ["r", "alpha", "s", "beta"];
        var rows = new List<object?[]>();
        for (var i = 0; i < names.Length; i++) rows.Add([model.Name, names[i], fit.Parameters[i], Finite(fit.StandardErrors[i])]);
        rows.Add([model.Name, "log_likelihood", fit.LogLikelihood, null]);
        rows.Add([model.Name, "customers", (double)customers, null]);
        rows.Add([model.Name, "iterations", (double)fit.Iterations, null]);
        rows.Add([model.Name, "converged", fit.Converged ? 1.0 : 0.0, null]);
        rows.Add([model.Name, "time_unit_days", p.TimeUnit == LtvTimeUnit.Week ? 7.0 : 1.0, null]);
        string[] spendNames = ["p", "q", "gamma"];
        for (var i = 0; i < 3; i++) rows.Add(["gamma_gamma", spendNames[i], spend.Estimate.Parameters[i], Finite(spend.Estimate.StandardErrors[i])]);
        rows.Add(["gamma_gamma", "log_likelihood", spend.Estimate.LogLikelihood, null]);
        rows.Add(["gamma_gamma", "customers", (double)spend.Customers, null]);
        rows.Add(["gamma_gamma", "frequency_spend_correlation", correlation, null]);
        return new TableWrite(context.Output(ModelOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(ModelColumns, rows, ct));
    }

    // Predicted against actual repeat purchases in the holdout, by calibration frequency (FHL 2005, figure 3) and in total.
    private static (TableWrite? Write, long Actual, double Predicted) HoldoutTable(ComponentContext context, IRepeatPurchaseModel model, RfmSummary data,
        long[] holdoutCounts, LtvParameters p)
    {
        var unit = p.TimeUnit == LtvTimeUnit.Week ? 7.0 : 1.0;
        var length = (p.HoldoutEndDate!.Value.DayNumber - p.CalibrationEndDate!.Value.DayNumber) / unit;
        var buckets = new SortedDictionary<int, (int Customers, long Actual, double Predicted)>();
        var predictedAll = new double[data.Count];
        for (var i = 0; i < data.Count; i++)
        {
            var bucket = (int)Math.Min(data.Frequency[i], 7);
            // Over the holdout's own length; the asset's expected_purchases use horizon_days.
            var predicted = model.ExpectedPurchases(data.Frequency[i], data.Recency[i], data.Age[i], length);
            predictedAll[i] = predicted;
            var actual = holdoutCounts[i];
            var current = buckets.GetValueOrDefault(bucket);
            buckets[bucket] = (current.Customers + 1, current.Actual + actual, current.Predicted + predicted);
        }
        var table = buckets.Select(b => new object?[] { b.Key == 7 ? "7+" : b.Key.ToString(CultureInfo.InvariantCulture), (long)b.Value.Customers,
            (double)b.Value.Actual / b.Value.Customers, b.Value.Predicted / b.Value.Customers, b.Value.Actual, b.Value.Predicted }).ToList();
        var totalActual = buckets.Values.Sum(b => b.Actual);
        var totalPredicted = predictedAll.Sum();
        table.Add(["all", (long)data.Count, (double)totalActual / data.Count, totalPredicted / data.Count, totalActual, totalPredicted]);
        return (new TableWrite(context.Output(HoldoutOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(HoldoutColumns, table, ct)),
            totalActual, totalPredicted);
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
