using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Warehouse;

/// <summary>
/// The spelling DuckDB and PostgreSQL share for the SQL that differs between engines; each engine's dialect derives
/// from it and overrides what it spells differently. Every engine-specific string lives here or in a subclass.
/// </summary>
public abstract class StandardSqlDialect : ISqlDialect
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public virtual string Quote(string identifier) => SqlTypes.Quote(identifier);

    /// <inheritdoc />
    public virtual string Literal(string text) => SqlTypes.Literal(text);

    /// <inheritdoc />
    public abstract string TypeName(DataKind kind);

    /// <inheritdoc />
    public virtual DataKind KindOf(string sqlType) => SqlTypeNames.KindOf(sqlType);

    /// <inheritdoc />
    public virtual string Parameter(int ordinal) =>
        ordinal >= 1 ? "$" + ordinal.ToString(CultureInfo.InvariantCulture) : throw new ArgumentOutOfRangeException(nameof(ordinal), "placeholders count from 1.");

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="TextHash"/> with its sign bit cleared, so the remainder is never negative; a NULL hash (PostgreSQL's of a
    /// NULL text) goes to bucket 0.
    /// </remarks>
    public string HashBucket(string text, string buckets)
    {
        var hash = TextHash($"CAST({text} AS {TypeName(DataKind.Text)})") ?? throw new NotSupportedException("this SQL dialect has no text hash to split work by.");
        var bigint = TypeName(DataKind.Integer);
        return $"coalesce(({hash} & 9223372036854775807) % CAST({buckets} AS {bigint}), 0)";
    }

    /// <inheritdoc />
    /// <remarks>In the largest unit that holds <paramref name="span"/> exactly, e.g. <c>INTERVAL '30 minutes'</c>.</remarks>
    public virtual string Interval(TimeSpan span)
    {
        var (amount, unit) = span.Ticks % TimeSpan.TicksPerDay == 0 ? (span.Ticks / TimeSpan.TicksPerDay, "days")
            : span.Ticks % TimeSpan.TicksPerHour == 0 ? (span.Ticks / TimeSpan.TicksPerHour, "hours")
            : span.Ticks % TimeSpan.TicksPerMinute == 0 ? (span.Ticks / TimeSpan.TicksPerMinute, "minutes")
            : span.Ticks % TimeSpan.TicksPerSecond == 0 ? (span.Ticks / TimeSpan.TicksPerSecond, "seconds")
            : span.Ticks % TimeSpan.TicksPerMillisecond == 0 ? (span.Ticks / TimeSpan.TicksPerMillisecond, "milliseconds")
            : throw new ArgumentException($"an interval of {span} is finer than a millisecond.", nameof(span));
        return $"INTERVAL '{amount.ToString(CultureInfo.InvariantCulture)} {unit}'";
    }

    /// <inheritdoc />
    public virtual string RegexReplaceAll(string expression, string pattern, string replacement) =>
        $"regexp_replace({expression}, {Literal(pattern)}, {Literal(replacement)}, 'g')";

    /// <inheritdoc />
    public virtual string DateTrunc(DateUnit unit, string expression) =>
        $"date_trunc({Literal(unit.ToString().ToLowerInvariant())}, CAST({expression} AS TIMESTAMP))";

    /// <inheritdoc />
    public virtual string ByteOrder(string text) => text;

    /// <inheritdoc />
    public virtual string StringAgg(string expression, string separator, string orderBy) =>
        $"string_agg(CAST({expression} AS {TypeName(DataKind.Text)}), {Literal(separator)} ORDER BY {orderBy})";

    /// <inheritdoc />
    public virtual string AddDays(string day, string days) => $"(CAST({day} AS DATE) + CAST({days} AS INTEGER))";

    /// <inheritdoc />
    public virtual string DaysBetween(string earlier, string later) => $"CAST(CAST({later} AS DATE) - CAST({earlier} AS DATE) AS BIGINT)";

    /// <inheritdoc />
    public virtual string? WideIntegerType => null;

    /// <inheritdoc />
    public virtual string? TextHash(string expression) => null;

    /// <inheritdoc />
    public virtual string? TextPairHash(string first, string second) => null;

    /// <inheritdoc />
    public virtual bool ScansInStoredOrder => false;

    /// <inheritdoc />
    public virtual string? StoredRowNumber => null;

    /// <inheritdoc />
    public virtual bool GroupsFasterOverSortedInput => false;

    /// <inheritdoc />
    public abstract string RowKey { get; }

    /// <inheritdoc />
    public virtual string CurrentSchema => "current_schema()";

    /// <inheritdoc />
    public virtual string StartsWith(string text, string prefix) => $"starts_with({text}, {prefix})";

    /// <inheritdoc />
    public virtual string CreateWorkTable(string table) => $"CREATE TABLE {table}";

    /// <inheritdoc />
    public virtual IReadOnlyList<string> IndexWorkTable(string table, string index, IReadOnlyList<string> columns, bool unique) =>
        [$"CREATE {(unique ? "UNIQUE " : "")}INDEX {index} ON {table} ({string.Join(", ", columns)})"];

    /// <inheritdoc />
    public abstract string RegexMatchesIgnoringCase(string expression, string pattern);

    /// <inheritdoc />
    public virtual string? NearestAtOrAfterJoin(string table, string name, string equal, string rightTime, string leftTime) => null;
}
