namespace Tributary.Core.Warehousing;

/// <summary>
/// Builds one statement's SQL for any engine: <see cref="Bind(object?)"/> collects the bound values and numbers their
/// placeholders itself, and the SQL that differs between engines (intervals, regular expressions, date arithmetic,
/// truncation, string aggregation) is spelled by the <see cref="ISqlDialect"/>. Components use it for every statement
/// with values or engine-specific SQL, so none holds an engine's spelling; one builder per statement.
/// </summary>
/// <param name="dialect">The warehouse's dialect.</param>
public sealed class SqlBuilder(ISqlDialect dialect)
{
    private readonly List<object?> _parameters = [];

    /// <summary>The dialect the SQL is spelled in.</summary>
    public ISqlDialect Dialect => dialect;

    /// <summary>The values bound so far, in placeholder order; pass them with the statement.</summary>
    public IReadOnlyList<object?> Parameters => _parameters;

    /// <summary>Binds <paramref name="value"/> and returns its placeholder; bind once and reuse the text to use a value twice.</summary>
    public string Bind(object? value)
    {
        _parameters.Add(value);
        return dialect.Parameter(_parameters.Count);
    }

    /// <summary>Binds <paramref name="value"/> as a <paramref name="kind"/>, so every engine knows its type.</summary>
    public string Bind(object? value, DataKind kind) => Cast(Bind(value), kind);

    /// <summary>Binds each value and returns the placeholders as a comma-separated list, e.g. for <c>IN (...)</c>.</summary>
    public string BindList(IEnumerable<object?> values, DataKind kind) => string.Join(", ", values.Select(v => Bind(v, kind)));

    /// <summary>A quoted identifier.</summary>
    public string Quote(string identifier) => dialect.Quote(identifier);

    /// <summary><paramref name="expression"/> cast to the engine's type for <paramref name="kind"/>.</summary>
    public string Cast(string expression, DataKind kind) => $"CAST({expression} AS {dialect.TypeName(kind)})";

    /// <summary>
    /// A TIMESTAMP: the wall-clock time in <paramref name="zone"/> of <paramref name="expression"/>, a warehouse TIMESTAMP
    /// (which holds UTC), with the zone's name bound; a DATE is a calendar day already and stays as it is. Both engines
    /// spell it alike (DuckDB's built-in ICU, PostgreSQL's tz database); in UTC it is the expression itself.
    /// </summary>
    public string Local(string expression, DataKind kind, TimeZoneInfo zone) =>
        kind != DataKind.Timestamp || IsUtc(zone) ? expression : $"timezone({Bind(zone.Id, DataKind.Text)}, timezone('UTC', {expression}))";

    /// <summary>
    /// A DATE: the calendar day in <paramref name="zone"/> (the project's reporting zone) of <paramref name="expression"/>,
    /// a TIMESTAMP holding UTC or a DATE (see <see cref="Local"/>).
    /// </summary>
    public string Day(string expression, DataKind kind, TimeZoneInfo zone) => Cast(Local(expression, kind, zone), DataKind.Date);

    /// <summary>Whether <paramref name="zone"/> keeps UTC's clock all year (UTC, Etc/UTC, Etc/GMT), so its days are UTC days.</summary>
    public static bool IsUtc(TimeZoneInfo zone) => zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime;

    /// <summary>
    /// The sum of <paramref name="expression"/> as a number that does not depend on row order: each value is rounded to
    /// 10 decimals and summed as a fixed-point decimal (integer arithmetic, so associative), where a floating-point sum
    /// differs in its last bits with the order a parallel aggregation meets the rows, and a re-run would change the result.
    /// </summary>
    /// <param name="expression">The values to sum.</param>
    /// <param name="where">A condition of the rows summed (the aggregate's FILTER), or null for every row.</param>
    public string ExactSum(string expression, string? where = null) =>
        Cast($"sum(CAST({expression} AS DECIMAL(38, 10))){(where is null ? "" : $" FILTER (WHERE {where})")}", DataKind.Number);

    /// <summary>
    /// The sum of <paramref name="expression"/>, whose values are integers (counts, 0/1 flags and their products), as a
    /// number that does not depend on row order: summed as integers (DuckDB accumulates BIGINT in 128 bits, PostgreSQL in
    /// numeric), so exact like <see cref="ExactSum"/> without its per-value conversion to a decimal, which is most of its
    /// cost. An integer overflow in <paramref name="expression"/> raises an error in both engines rather than wrapping.
    /// </summary>
    /// <param name="expression">Values of an integer type (a floating-point expression would be summed in floating point, in row order: use <see cref="ExactSum"/>).</param>
    public string IntegerSum(string expression) => Cast($"sum({expression})", DataKind.Number);

    /// <summary>
    /// The sum of <paramref name="expression"/> as a number that does not depend on row order, for statistics (not money:
    /// binary, so 0.1 + 0.2 is not the double 0.3): each value is split into a high part in units of 2^20 and a low part
    /// in units of 2^-43, both summed as integers (exact and associative, as <see cref="IntegerSum"/>), and the two sums
    /// added at the end. The high part is round(v · 2^-20) and the low part v minus it (exact in floating point: both are
    /// multiples of v's last place and the difference is at most 2^19), rounded to 2^-43, so each value is off by at most
    /// 2^-44 (ExactSum's 10 decimals: 5e-11); a value past 2^83 (about 9.7e24) raises an out-of-range error in both
    /// engines. Two conversions to BIGINT cost DuckDB less than <see cref="ExactSum"/>'s one to a 128-bit decimal
    /// (6% of experiment.metrics' instructions). Where the dialect has a 128-bit integer type (DuckDB's HUGEINT), each
    /// value is instead one integer in units of 2^-44 (off by at most 2^-45; the same 2^83 bound, as the type holds
    /// 2^127), one conversion and one sum instead of two: 7% less CPU for experiment.metrics at 10M events.
    /// </summary>
    /// <param name="expression">The values to sum, floating point.</param>
    public string FixedPointSum(string expression)
    {
        if (dialect.WideIntegerType is { } wide)
        {
            // Multiplying by a power of two is exact; the cast rounds to the nearest whole number of 2^-44.
            var unit = Cast("17592186044416", DataKind.Number);
            return $"({Cast($"sum(CAST(({expression}) * {unit} AS {wide}))", DataKind.Number)} / {unit})";
        }
        // Dividing by a power of two is exact, where a decimal literal of 2^-43 might not be read as exactly 2^-43.
        var (coarse, fine) = (Cast("1048576", DataKind.Number), Cast("8796093022208", DataKind.Number));
        var high = Cast($"({expression}) / {coarse}", DataKind.Integer);
        var low = Cast($"(({expression}) - {Cast(high, DataKind.Number)} * {coarse}) * {fine}", DataKind.Integer);
        return $"({Cast($"sum({high})", DataKind.Number)} * {coarse} + {Cast($"sum({low})", DataKind.Number)} / {fine})";
    }

    /// <inheritdoc cref="ISqlDialect.Interval"/>
    public string Interval(TimeSpan span) => dialect.Interval(span);

    /// <inheritdoc cref="ISqlDialect.RegexReplaceAll"/>
    public string RegexReplaceAll(string expression, string pattern, string replacement) => dialect.RegexReplaceAll(expression, pattern, replacement);

    /// <inheritdoc cref="ISqlDialect.DateTrunc"/>
    public string DateTrunc(DateUnit unit, string expression) => dialect.DateTrunc(unit, expression);

    /// <inheritdoc cref="ISqlDialect.StringAgg"/>
    public string StringAgg(string expression, string separator, string orderBy) => dialect.StringAgg(expression, separator, orderBy);

    /// <inheritdoc cref="ISqlDialect.AddDays"/>
    public string AddDays(string day, string days) => dialect.AddDays(day, days);

    /// <inheritdoc cref="ISqlDialect.DaysBetween"/>
    public string DaysBetween(string earlier, string later) => dialect.DaysBetween(earlier, later);
}
