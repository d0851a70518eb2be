using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Transforms;

/// <summary>Parameters of <c>transform.currency</c>.</summary>
public sealed record CurrencyConversionParameters : IValidatableObject
{
    /// <summary>The reporting currency.</summary>
    [Description("Reporting currency (ISO 4217 code) the money columns are converted into; rows already in it keep their amounts. Default USD.")]
    public string To { get; init; } = "USD";

    /// <summary>Rates as <c>CODE=rate</c> items.</summary>
    [Description("Units of the reporting currency per unit of each other currency, as CODE=rate items separated by commas, e.g. "
        + "\"EUR=1.09, GBP=1.27, JPY=0.0067\". A later item for the same currency replaces an earlier one; empty items are ignored. "
        + "Rows in a currency with no rate here are left out of the output and counted in its unpriced output, never valued 1:1.")]
    public string Rates { get; init; } = "";

    /// <summary>Money columns to convert.</summary>
    [Description("Money columns to convert into the reporting currency, e.g. [total, refunded_amount, discount].")]
    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>The column with each row's currency.</summary>
    [Description("Column holding each row's ISO currency code (case and spaces ignored). Default currency.")]
    public string CurrencyColumn { get; init; } = "currency";

    /// <summary>The parsed rates by upper-case code, the reporting currency at 1; invalid items are skipped (see <see cref="Validate"/>).</summary>
    public IReadOnlyDictionary<string, double> RateTable
    {
        get
        {
            var rates = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (code, rate, problem) in Items())
                if (problem is null) rates[code] = rate;
            rates[To.Trim().ToUpperInvariant()] = 1;
            return rates;
        }
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsCode(To.Trim())) yield return new ValidationResult($"to: '{To}' is not a three-letter currency code such as USD.", [nameof(To)]);
        if (Columns.Count == 0) yield return new ValidationResult("columns: name at least one money column.", [nameof(Columns)]);
        foreach (var (_, _, problem) in Items())
            if (problem is not null) yield return new ValidationResult($"rates: {problem}", [nameof(Rates)]);
    }

    private IEnumerable<(string Code, double Rate, string? Problem)> Items()
    {
        var to = To.Trim().ToUpperInvariant();
        foreach (var item in Rates.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = item.Split('=', StringSplitOptions.TrimEntries);
            var code = parts[0].ToUpperInvariant();
            if (parts.Length != 2 || !IsCode(code))
                yield return (code, 0, $"'{item}' is not CODE=rate, e.g. JPY=0.0067 ({to} per JPY).");
            else if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || !double.IsFinite(rate) || rate <= 0)
                yield return (code, 0, $"the rate of {code} ('{parts[1]}') is not a positive number of {to} per {code}.");
            else if (code == to && rate != 1)
                yield return (code, 0, $"{code} is the reporting currency, so its rate is 1, not {parts[1]}.");
            else yield return (code, rate, null);
        }
    }

    private static bool IsCode(string code) => code.Length == 3 && code.All(char.IsAsciiLetter);
}

/// <summary>
/// Converts money columns into one reporting currency with explicit rates. Rows in a currency without a rate are left out
/// (an unknown currency is never valued 1:1), counted by currency in the <c>unpriced</c> output, and named with the rate to
/// add in a warning (a non-blocking check the run page shows beside the step) and the run's log.
/// </summary>
public sealed class CurrencyConversion : IComponent<CurrencyConversionParameters>
{
    /// <inheritdoc />
    public static string TypeName => "transform.currency";
    /// <inheritdoc />
    public static string Description => "Convert money columns into one reporting currency with explicit exchange rates; rows without a rate are left out and reported.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    private const string Unpriced = "unpriced";

    /// <inheritdoc />
    public ComponentPlan Plan(CurrencyConversionParameters p, PlanContext context)
    {
        var requires = p.Columns.Select(c => new ColumnRequirement(0, c, [DataKind.Number, DataKind.Integer]))
            .Append(new ColumnRequirement(0, p.CurrencyColumn, [DataKind.Text])).ToList();
        TableSchema? output = context.Inputs[0].Schema is { } input
            ? new TableSchema([.. input.Columns.Select(c => p.Columns.Any(m => Same(m, c.Name)) ? Number(c.Name) : c),
                Text("source_currency"), Number("exchange_rate")])
            : null;
        return new ComponentPlan(output, requires)
        {
            SideOutputs = [new(Unpriced, OutputRole.Diagnostics, "Rows left out for want of a rate: currency, row_count and the first money column's sum in that currency.")],
        };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(CurrencyConversionParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var d = w.Dialect;
        var input = context.Inputs[0];
        var schema = await w.DescribeTableAsync(input, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"input table '{input}' does not exist.");
        var to = p.To.Trim().ToUpperInvariant();
        var currency = $"upper(trim(t.{d.Quote(p.CurrencyColumn)}))";

        string Rates(SqlBuilder q) => $"(VALUES {string.Join(", ", p.RateTable.Select(r => $"({q.Bind(r.Key, DataKind.Text)}, {q.Bind(r.Value, DataKind.Number)})"))}) AS r(code, rate)";
        var main = new SqlBuilder(d);
        var columns = schema.Columns.Select(c =>
            p.Columns.Any(m => Same(m, c.Name)) ? $"t.{d.Quote(c.Name)} * r.rate AS {d.Quote(c.Name)}"
            : Same(c.Name, p.CurrencyColumn) ? $"{main.Bind(to, DataKind.Text)} AS {d.Quote(c.Name)}"
            : $"t.{d.Quote(c.Name)}");
        var rates = Rates(main);
        var sql = $"SELECT {string.Join(", ", columns)}, {currency} AS {d.Quote("source_currency")}, r.rate AS {d.Quote("exchange_rate")} FROM {d.Quote(input)} t JOIN {rates} ON r.code = {currency}";
        var left = new SqlBuilder(d);
        var unpricedSql = $"""
            SELECT {currency} AS {d.Quote("currency")}, count(*) AS {d.Quote("row_count")}, {left.Cast($"sum(t.{d.Quote(p.Columns[0])})", DataKind.Number)} AS {d.Quote("amount")}
            FROM {d.Quote(input)} t LEFT JOIN {Rates(left)} ON r.code = {currency}
            WHERE r.code IS NULL GROUP BY {currency}
            """;
        var rows = (await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync(sql, main.Parameters, ct)),
            new TableWrite(context.Output(Unpriced), TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync(unpricedSql, left.Parameters, ct)),
        ], cancellationToken).ConfigureAwait(false))[0];

        var missing = new List<(string? Currency, long Rows)>();
        await foreach (var r in w.StreamAsync($"SELECT {d.Quote("currency")}, {d.Quote("row_count")} FROM {d.Quote(context.Output(Unpriced))} ORDER BY 2 DESC, 1", null, cancellationToken).ConfigureAwait(false))
            missing.Add((r[0] as string, Convert.ToInt64(r[1], CultureInfo.InvariantCulture)));
        var warning = missing.Count == 0 ? null : $"left out {missing.Sum(m => m.Rows):N0} in a currency with no rate to {to}: "
            + string.Join(", ", missing.Select(m => $"{m.Currency ?? "no currency"} ({m.Rows:N0})"))
            + (missing.Any(m => m.Currency is not null)
                ? $". Add {string.Join(", ", missing.Where(m => m.Currency is not null).Select(m => $"{m.Currency}=<{to} per {m.Currency}>"))} to the rates of '{context.Asset}' (in the templates, the exchange_rates param)."
                : ".")
            + $" They are counted in {context.Output(Unpriced)}.";
        context.Log($"{rows:N0} rows in {to}" + (warning is null ? "" : "; " + warning));
        return new Materialization(rows, new Dictionary<string, object?>
        {
            ["currency"] = to,
            ["unpriced_rows"] = missing.Sum(m => m.Rows),
            ["unpriced_currencies"] = string.Join(", ", missing.Select(m => m.Currency ?? "")),
        })
        {
            Warnings = warning is null ? [] : [warning],
        };
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    private static ColumnSchema Number(string name) => new(name, nameof(DataKind.Number).ToUpperInvariant(), DataKind.Number);
    private static ColumnSchema Text(string name) => new(name, nameof(DataKind.Text).ToUpperInvariant(), DataKind.Text);
}
