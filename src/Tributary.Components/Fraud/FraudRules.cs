using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Fraud;

/// <summary>Parameters of <c>rules.fraud</c>.</summary>
public sealed partial record FraudRulesParameters : IValidatableObject
{
    /// <summary>The rules.</summary>
    [Description("The rules, each a mapping: name (a-z, 0-9, _), when (a condition on the input's columns: numbers, column names, + - * / ( ), < <= > >= = != and/or/not, e.g. 'email_count_10m >= 5 and email_decline_ratio_24h > 0.5'), weight (0 to 1, default 0.5; the rule score is 1 - the product of (1 - weight) over the rules that fire) and reason (text shown with the transaction; default the name).")]
    public required IReadOnlyList<IReadOnlyDictionary<string, string>> Rules { get; init; }

    /// <summary>The transaction id column.</summary>
    [Description("Column holding the transaction id. Default transaction_id.")]
    public string Id { get; init; } = "transaction_id";

    internal static readonly string[] Fields = ["name", "when", "weight", "reason"];

    /// <summary>The rules as records, in order; invalid ones are left out (Validate reports them).</summary>
    internal IReadOnlyList<FraudRule> Parsed => Rules.Select(Parse).OfType<FraudRule>().ToList();

    private static FraudRule? Parse(IReadOnlyDictionary<string, string> r)
    {
        if (!r.TryGetValue("name", out var name) || !RuleName().IsMatch(name) || !r.TryGetValue("when", out var when) || string.IsNullOrWhiteSpace(when)) return null;
        var weight = 0.5;
        if (r.TryGetValue("weight", out var w) && !(double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out weight) && weight is > 0 and <= 1)) return null;
        return new FraudRule(name, when, weight, r.TryGetValue("reason", out var reason) && !string.IsNullOrWhiteSpace(reason) ? reason : name);
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Rules.Count == 0) yield return new ValidationResult("rules needs at least one rule.", [nameof(Rules)]);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (r, i) in Rules.Select((r, i) => (r, i + 1)))
        {
            var label = r.TryGetValue("name", out var n) ? $"rule '{n}'" : $"rule {i}";
            foreach (var key in r.Keys.Where(k => !Fields.Contains(k)))
                yield return new ValidationResult($"{label}: unknown field '{key}'. Fields: {string.Join(", ", Fields)}.", [nameof(Rules)]);
            if (n is null || !RuleName().IsMatch(n))
                yield return new ValidationResult($"{label}: name must be lower-case letters, digits and _ (starting with a letter, at most 40).", [nameof(Rules)]);
            else if (!names.Add(n))
                yield return new ValidationResult($"{label}: the name is used twice.", [nameof(Rules)]);
            if (r.TryGetValue("weight", out var w) && !(double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) && weight is > 0 and <= 1))
                yield return new ValidationResult($"{label}: weight must be a number above 0 and at most 1, got '{w}'.", [nameof(Rules)]);
            if (!r.TryGetValue("when", out var when))
            {
                yield return new ValidationResult($"{label}: when (the condition) is missing.", [nameof(Rules)]);
                continue;
            }
            string? problem = null;
            try { RuleExpression.Check(n ?? i.ToString(CultureInfo.InvariantCulture), when, null); }
            catch (PlanException e) { problem = e.Message; }
            if (problem is not null) yield return new ValidationResult(problem, [nameof(Rules)]);
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,39}$")]
    private static partial Regex RuleName();
}

/// <summary>One fraud rule.</summary>
/// <param name="Name">Its name; the output column <c>rule_&lt;name&gt;</c> is 1 where it fires.</param>
/// <param name="When">The condition, in the language of <see cref="RuleExpression"/>.</param>
/// <param name="Weight">Strength, above 0 and at most 1.</param>
/// <param name="Reason">Text shown with a transaction it fires on.</param>
internal sealed record FraudRule(string Name, string When, double Weight, string Reason);

/// <summary>
/// Rules over transaction features, evaluated in SQL. Each rule's condition is parsed into SQL over quoted columns of
/// the input and bound numbers (never pasted text); the output is the input with a 0/1 column per rule
/// (<c>rule_&lt;name&gt;</c>), the rule score 1 − Π(1 − weight) over the rules that fire (0 when none), the names of the
/// rules fired and their reasons, strongest first.
/// </summary>
public sealed class FraudRules : IComponent<FraudRulesParameters>
{
    /// <inheritdoc />
    public static string TypeName => "rules.fraud";
    /// <inheritdoc />
    public static string Description => "Fraud rules written as conditions on features, each with a weight and a reason, evaluated in SQL.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    internal static readonly (string Name, DataKind Kind)[] Added = [("rule_score", DataKind.Number), ("rules_fired", DataKind.Text), ("rule_reasons", DataKind.Text)];

    /// <inheritdoc />
    public ComponentPlan Plan(FraudRulesParameters p, PlanContext context)
    {
        var rules = p.Parsed;
        var schema = context.Inputs[0].Schema;
        var columns = schema?.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal) { p.Id };
        foreach (var r in rules) used.UnionWith(RuleExpression.Check(r.Name, r.When, columns));
        var added = rules.Select(r => ($"rule_{r.Name}", DataKind.Integer)).Concat(Added).ToList();
        if (columns is not null && added.FirstOrDefault(a => columns.Contains(a.Item1)) is { Item1: { } clash })
            throw new PlanException($"the input already has a column '{clash}', which rules.fraud writes; rename the rule or the column.");
        var output = schema is null ? null : new TableSchema([.. schema.Columns, .. Standardize.Schema.Of([.. added]).Columns]);
        return new ComponentPlan(output, used.Select(c => new ColumnRequirement(0, c, [])).ToList())
        {
            MainDescription = "The input's rows with a 0/1 column per rule, the rule score, the rules fired and their reasons.",
        };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(FraudRulesParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var schema = await w.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"input '{context.Inputs[0]}' does not exist.");
        var sql = Sql(p.Parsed, schema.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal), q, q.Quote(context.Inputs[0]));
        var rows = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, q.Parameters, ct), cancellationToken).ConfigureAwait(false);
        var fired = await w.QueryAsync($"SELECT {string.Join(", ", p.Parsed.Select(r => $"sum({q.Quote($"rule_{r.Name}")})"))} FROM {q.Quote(context.Asset)}", null, 1, cancellationToken).ConfigureAwait(false);
        var counts = p.Parsed.Select((r, i) => $"{r.Name} {Convert.ToInt64(fired.Rows[0][i] ?? 0L, CultureInfo.InvariantCulture):N0}").ToList();
        context.Log($"{rows:N0} rows; fired: {string.Join(", ", counts)}");
        return new Materialization(rows, p.Parsed.Select((r, i) => (r.Name, fired.Rows[0][i])).ToDictionary(x => $"fired_{x.Name}", x => (object?)Convert.ToInt64(x.Item2 ?? 0L, CultureInfo.InvariantCulture)));
    }

    internal static string Sql(IReadOnlyList<FraudRule> rules, IReadOnlySet<string> columns, SqlBuilder q, string input)
    {
        var flags = rules.Select(r => $"CASE WHEN {RuleExpression.ToSql(r.Name, r.When, columns, q)} THEN 1 ELSE 0 END AS {q.Quote($"rule_{r.Name}")}");
        var strongest = rules.OrderByDescending(r => r.Weight).ToList();
        var product = string.Join(" * ", rules.Select(r => $"(1 - {q.Bind(r.Weight, DataKind.Number)} * {q.Quote($"rule_{r.Name}")})"));
        var names = string.Join(", ", strongest.Select(r => $"CASE WHEN {q.Quote($"rule_{r.Name}")} = 1 THEN {q.Bind(r.Name, DataKind.Text)} END"));
        var reasons = string.Join(", ", strongest.Select(r => $"CASE WHEN {q.Quote($"rule_{r.Name}")} = 1 THEN {q.Bind(r.Reason, DataKind.Text)} END"));
        return $"""
            WITH f AS (SELECT i.*, {string.Join(", ", flags)} FROM {input} i)
            SELECT f.*, CAST(1 - {product} AS DOUBLE PRECISION) AS rule_score,
                   nullif(concat_ws({q.Bind(", ", DataKind.Text)}, {names}), '') AS rules_fired,
                   nullif(concat_ws({q.Bind("; ", DataKind.Text)}, {reasons}), '') AS rule_reasons
            FROM f
            """;
    }
}
