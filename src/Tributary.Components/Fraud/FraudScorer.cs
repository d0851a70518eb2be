using System.Globalization;
using Tributary.Analytics.Fraud;
using Tributary.Core.Components;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Fraud;

/// <summary>
/// Scores one transaction at a time the way a fraud pipeline scores them all: the features of
/// <c>features.transactions</c> from a <see cref="TransactionHistory"/>, the rules of <c>rules.fraud</c> evaluated in
/// memory with SQL's NULL logic, each stored Isolation Forest's score, the stored supervised model of <c>analytics.fraud_model</c> when one is trained (its probability stacked with the rule
/// score as the batch stacks it), and the <see cref="RiskCombination"/> of <c>analytics.risk_score</c>, which ranks each
/// part against the batch's scores of it.
/// Thread-safe: the history is updated under a lock.
/// </summary>
public sealed class FraudScorer
{
    /// <summary>The columns a rule may name: the features, then amount and declined.</summary>
    internal static readonly IReadOnlyList<string> RowColumns = [.. TransactionFeatures.FeatureNames, "amount", "declined"];

    private readonly TransactionHistory _history;
    private readonly (FraudRule Rule, Func<double?[], bool> Fires)[] _rules;
    private readonly int[] _strongest;
    private readonly IReadOnlyList<Forest> _forests;
    private readonly RiskCombination _combination;
    private readonly Model? _model;
    private readonly Lock _lock = new();
    private readonly string _declinedStatus;

    /// <summary>One anomaly model: the forest and where its features sit in a row.</summary>
    internal sealed record Forest(IsolationForestModel Model, int[] Slots, string[] Features);

    /// <summary>The trained supervised model and where its features sit in a row.</summary>
    internal sealed record Model(TrainedFraudModel Trained, int[] Slots);

    internal FraudScorer(TransactionHistory history, IReadOnlyList<FraudRule> rules, IReadOnlyList<Forest> forests, Model? model, RiskCombination combination, string declinedStatus)
    {
        _model = model;
        _declinedStatus = declinedStatus.ToLowerInvariant();
        _history = history;
        _rules = [.. rules.Select(r => (r, RuleExpression.Compile(r.Name, r.When, RowColumns)))];
        // Rule positions, strongest first (equal weights in rule order).
        _strongest = [.. Enumerable.Range(0, rules.Count).OrderByDescending(i => rules[i].Weight)];
        _forests = forests;
        _combination = combination;
    }

    /// <summary>Transactions in the history.</summary>
    public int Transactions
    {
        get { lock (_lock) return _history.Count; }
    }

    /// <summary>Whether a payment status counts as declined (the features step's declined_status, any case).</summary>
    public bool IsDeclined(string? status) => status is not null && string.Equals(status.ToLowerInvariant(), _declinedStatus, StringComparison.Ordinal);

    /// <summary>
    /// Scores <paramref name="t"/> from the transactions before it, then adds it to the history (once per id), so that
    /// the transactions after it see it.
    /// </summary>
    public FraudScore Score(TransactionEvent t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var row = new double?[RowColumns.Count];
        bool known;
        lock (_lock)
        {
            _history.Features(t, row);
            known = !_history.Add(t);
        }
        (row[^2], row[^1]) = (t.Amount, t.Declined ? 1 : 0);
        // 1 - the product of (1 - weight) in rule order, as the SQL of rules.fraud multiplies.
        Span<bool> fired = stackalloc bool[_rules.Length];
        var product = 1.0;
        var firedCount = 0;
        for (var i = 0; i < _rules.Length; i++)
        {
            fired[i] = _rules[i].Fires(row);
            firedCount += fired[i] ? 1 : 0;
            product *= 1 - _rules[i].Rule.Weight * (fired[i] ? 1 : 0);
        }
        var ruleScore = 1 - product;
        var strongest = new List<FraudRule>(firedCount);
        foreach (var i in _strongest) if (fired[i]) strongest.Add(_rules[i].Rule);
        var ruleReasons = strongest.Count == 0 ? null : string.Join("; ", strongest.Select(r => r.Reason));
        var anomaly = new double?[_forests.Count];
        var top = new string?[_forests.Count];
        for (var i = 0; i < _forests.Count; i++) anomaly[i] = AnomalyScore(_forests[i], row);
        // The most isolating feature costs more than the score, so it is found only where the combination can name it: a
        // strong percentile, or a transaction leaving "allow" (which always gets a reason).
        var (probability, modelReason) = _model is { } m ? ModelScore(m, row, ruleScore) : (null, null);
        var flagged = Math.Round(100 * _combination.Combine(ruleScore, anomaly, probability), 1) >= _combination.Review;
        for (var i = 0; i < _forests.Count; i++)
            if (anomaly[i] is { } s && (flagged || _combination.AnomalyPercentile(i, s) >= RiskCombination.ReasonPercentile)) top[i] = TopFeature(_forests[i], row);
        var a = _combination.Assess(ruleScore, ruleReasons, anomaly, top, probability, modelReason);
        return new FraudScore(t.Id, a.Score, a.Decision, a.Reasons?.Split("; ") ?? [], strongest.Select(r => r.Name).ToList(), ruleScore, a.AnomalyPart, probability, known);
    }

    // The features as the model reads them (float, NaN for NULL, as analytics.fraud_model casts them), with the rule score as its baseline.
    private static (double?, string?) ModelScore(Model model, double?[] row, double ruleScore)
    {
        Span<float> x = stackalloc float[model.Slots.Length];
        for (var j = 0; j < x.Length; j++) x[j] = row[model.Slots[j]] is { } v ? (float)v : float.NaN;
        Span<double> parts = stackalloc double[model.Slots.Length];
        return model.Trained.Score(x, ruleScore, parts);
    }

    // The forest's anomaly score, as analytics.isolation_forest writes it.
    private static double AnomalyScore(Forest forest, double?[] row)
    {
        Span<double> x = stackalloc double[forest.Slots.Length];
        for (var j = 0; j < x.Length; j++) x[j] = row[forest.Slots[j]] ?? double.NaN;
        return forest.Model.ScoreRow(x, default);
    }

    // The feature with the largest isolation credit, as analytics.isolation_forest writes it in top_feature.
    private static string TopFeature(Forest forest, double?[] row)
    {
        Span<double> x = stackalloc double[forest.Slots.Length];
        for (var j = 0; j < x.Length; j++) x[j] = row[forest.Slots[j]] ?? double.NaN;
        Span<double> credit = stackalloc double[forest.Slots.Length];
        forest.Model.ScoreRow(x, credit);
        var best = 0;
        for (var j = 1; j < credit.Length; j++) if (credit[j] > credit[best]) best = j;
        return forest.Features[best];
    }

    /// <summary>
    /// Loads the scorer of the <c>analytics.risk_score</c> step <paramref name="riskStep"/> of <paramref name="pipeline"/>
    /// from the tables its last run wrote: the transactions the features step reads (the history), the rules, each
    /// anomaly step's stored forest, and the combination with the batch's scores of each part to rank against.
    /// </summary>
    /// <exception cref="PlanException">The step's inputs are not a features -> rules -> risk score chain, or a forest was not stored.</exception>
    public static Task<FraudScorer> LoadAsync(IWarehouse warehouse, PipelineSpec pipeline, string riskStep, CancellationToken cancellationToken) =>
        LoadAsync(warehouse, pipeline, riskStep, rebuildHistory: true, cancellationToken);

    /// <summary>As the public overload; without <paramref name="rebuildHistory"/> the history starts empty (for replay tests).</summary>
    internal static async Task<FraudScorer> LoadAsync(IWarehouse warehouse, PipelineSpec pipeline, string riskStep, bool rebuildHistory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(pipeline);
        ComponentSpec Step(string id) => pipeline.Components.FirstOrDefault(c => c.Id == id) ?? throw new PlanException($"pipeline '{pipeline.Name}' has no step '{id}'.");
        T Parameters<T>(ComponentSpec step, string type) where T : class =>
            step.Parameters as T ?? throw new PlanException($"step '{step.Id}' is a {step.Type}; the online scorer needs {type} there.");
        var riskSpec = Step(riskStep);
        var risk = Parameters<RiskScoreParameters>(riskSpec, RiskScore.TypeName);
        var rulesSpec = Step(risk.Rules);
        var rules = Parameters<FraudRulesParameters>(rulesSpec, FraudRules.TypeName);
        var featuresSpec = Step(rulesSpec.Inputs.Single());
        var features = Parameters<TransactionFeaturesParameters>(featuresSpec, TransactionFeatures.TypeName);
        var history = new TransactionHistory(features);
        if (rebuildHistory)
            await foreach (var t in ReadTransactionsAsync(warehouse, features, featuresSpec.Inputs.Single(), cancellationToken).ConfigureAwait(false)) history.Add(t);
        var forests = new List<Forest>();
        foreach (var id in risk.Anomaly)
        {
            var spec = Step(id);
            Parameters<IsolationForestParameters>(spec, IsolationForestScoring.TypeName);
            var (model, names) = await IsolationForestScoring.ReadForestAsync(warehouse, OutputTables.Of(spec.Id, IsolationForestScoring.ForestOutput.Name), cancellationToken).ConfigureAwait(false);
            var slots = names.Select(n => RowColumns.ToList().IndexOf(n) is var i and >= 0 ? i
                : throw new PlanException($"anomaly step '{id}' uses '{n}', which is not a feature of features.transactions; the online scorer cannot compute it.")).ToArray();
            forests.Add(new Forest(model, slots, [.. names]));
        }
        var supervised = risk.Model is { Length: > 0 } modelStep ? await ReadModelAsync(warehouse, Step(modelStep), Parameters<FraudModelParameters>(Step(modelStep), FraudModel.TypeName), cancellationToken).ConfigureAwait(false) : null;
        var combination = await RiskCombination.Of(risk).WithReferencesAsync(warehouse, rulesSpec.Id, risk.Anomaly, supervised is null ? null : risk.Model, cancellationToken).ConfigureAwait(false);
        return new FraudScorer(history, rules.Parsed, forests, supervised, combination, features.DeclinedStatus);
    }

    // The model the step's last run trained; null while it is untrained (its table has no rows) or was written before models were stored.
    private static async Task<Model?> ReadModelAsync(IWarehouse warehouse, ComponentSpec spec, FraudModelParameters p, CancellationToken cancellationToken)
    {
        var table = OutputTables.Of(spec.Id, FraudModel.ModelOutput.Name);
        if (await warehouse.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false) is null) return null;
        if (await StoredModelParts.ReadAsync(warehouse, table, "model", cancellationToken).ConfigureAwait(false) is not { } stored) return null;
        var trained = TrainedFraudModel.Read(stored.Bytes, stored.Features);
        if (trained.Baseline is { } baseline && baseline != "rule_score")
            throw new PlanException($"model step '{spec.Id}' is stacked with '{baseline}'; the online scorer computes only rule_score as a baseline.");
        var slots = stored.Features.Select(n => RowColumns.ToList().IndexOf(n) is var i and >= 0 ? i
            : throw new PlanException($"model step '{spec.Id}' uses '{n}', which is not a feature of features.transactions; the online scorer cannot compute it.")).ToArray();
        return new Model(trained, slots);
    }

    /// <summary>The transactions of <paramref name="table"/> as the features step reads them.</summary>
    internal static async IAsyncEnumerable<TransactionEvent> ReadTransactionsAsync(IWarehouse warehouse, TransactionFeaturesParameters p, string table,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var d = warehouse.Dialect;
        string Text(string? column) => string.IsNullOrEmpty(column) ? "CAST(NULL AS VARCHAR)" : $"CAST({d.Quote(column)} AS VARCHAR)";
        var sql = $"""
            SELECT {Text(p.Id)}, {d.Quote(p.Time)}, CAST({d.Quote(p.Amount)} AS DOUBLE PRECISION), {Text(p.Status)}, {Text(p.Card)}, {Text(p.Email)},
                   {Text(p.Profile)}, {Text(p.Ip)}, {Text(p.CardCountry)}, {Text(p.BillingCountry)}
            FROM {d.Quote(table)} WHERE {d.Quote(p.Time)} IS NOT NULL
            """;
        var declined = p.DeclinedStatus.ToLowerInvariant();
        await foreach (var r in warehouse.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
            yield return new TransactionEvent((string)r[0]!, At(r[1]!), r[2] is null ? double.NaN : Convert.ToDouble(r[2], CultureInfo.InvariantCulture),
                (r[3] as string)?.ToLowerInvariant() == declined, r[4] as string, r[5] as string, r[6] as string, r[7] as string, r[8] as string, r[9] as string);
    }

    // A timestamp without a zone is UTC, as the batch query reads it.
    private static DateTimeOffset At(object value) => value switch
    {
        DateTimeOffset o => o,
        DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        _ => throw new InvalidDataException($"transaction time '{value}' is not a timestamp."),
    };
}
