using System.Globalization;

namespace Tributary.Core.Warehousing;

/// <summary>
/// Builds a table from a SELECT whose windows, groups and joins all keep to one key (a visitor, a profile) in several
/// passes, each over the rows whose key falls in one hash bucket, appended into the same staging table: every key's rows
/// are whole within one pass, so the table holds the same rows as one pass would give, while a pass's sorts hold only
/// its share of them. The number of passes grows with the input's rows so that a pass's working set stays within the
/// engine's memory limit whatever the data's size: memory flat by construction, not by the engine spilling (DuckDB
/// allocates its windows' working memory beyond its limit once the buffer pool is full).
/// </summary>
/// <remarks>
/// The SELECT binds the bucket count as <c>$1</c> and the bucket as <c>$2</c> through <see cref="Keeps"/>, and no value of
/// its own. Every pass writes into the write's staging table, so a failed pass leaves the table as it was.
/// </remarks>
public sealed class KeyedPasses
{
    /// <summary>The most passes a build is split into: past this a pass's rescan of the input costs more than its sort saves.</summary>
    public const int MaxPasses = 64;

    private KeyedPasses(int count) => Count = count;

    /// <summary>How many passes the build runs.</summary>
    public int Count { get; }

    /// <summary>One pass: the statement runs as it is written, with no bucket condition.</summary>
    public static KeyedPasses One { get; } = new(1);

    /// <summary>Exactly <paramref name="count"/> passes (1 to <see cref="MaxPasses"/>).</summary>
    public static KeyedPasses Of(int count) => count is >= 1 and <= MaxPasses
        ? count == 1 ? One : new KeyedPasses(count)
        : throw new ArgumentOutOfRangeException(nameof(count), count, $"passes must be from 1 to {MaxPasses}.");

    /// <summary>
    /// Passes enough that each holds at most <paramref name="memoryBytes"/> of working set, at
    /// <paramref name="bytesPerRow"/> per input row (the statement's measured working memory per row); one pass when the
    /// engine has no memory limit of this process's (<paramref name="memoryBytes"/> null).
    /// </summary>
    public static KeyedPasses ForRows(long rows, long bytesPerRow, long? memoryBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerRow);
        if (memoryBytes is not { } memory || memory <= 0 || rows <= 0) return One;
        var passes = Math.Ceiling((double)rows * bytesPerRow / memory);
        return Of((int)Math.Clamp(passes, 1, MaxPasses));
    }

    /// <summary>
    /// <see cref="ForRows"/> for the rows of <paramref name="quotedTable"/> and the warehouse's memory limit; counts the
    /// rows only where there is a limit.
    /// </summary>
    public static async Task<KeyedPasses> ForTableAsync(IWarehouse warehouse, string quotedTable, long bytesPerRow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        if (await warehouse.MemoryLimitAsync(cancellationToken).ConfigureAwait(false) is not { } memory) return One;
        var rows = Convert.ToInt64(await warehouse.ScalarAsync($"SELECT count(*) FROM {quotedTable}", null, cancellationToken).ConfigureAwait(false),
            CultureInfo.InvariantCulture);
        return ForRows(rows, bytesPerRow, memory);
    }

    /// <summary>
    /// The condition that keeps the rows of this pass's bucket of <paramref name="key"/> (a text expression): put it on
    /// every scan the statement's key comes from. <c>TRUE</c> for a single pass.
    /// </summary>
    public string Keeps(ISqlDialect dialect, string key)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return Count == 1 ? "TRUE" : $"{dialect.HashBucket(key, dialect.Parameter(1))} = CAST({dialect.Parameter(2)} AS {dialect.TypeName(DataKind.Integer)})";
    }

    /// <summary>Creates the builder's staging table from the first pass of <paramref name="selectSql"/> and appends the others.</summary>
    public async Task BuildAsync(ITableBuilder builder, string selectSql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Count == 1)
        {
            await builder.CreateAsSelectAsync(selectSql, null, cancellationToken).ConfigureAwait(false);
            return;
        }
        for (var bucket = 0; bucket < Count; bucket++)
        {
            object?[] values = [(long)Count, (long)bucket];
            if (bucket == 0) await builder.CreateAsSelectAsync(selectSql, values, cancellationToken).ConfigureAwait(false);
            else await builder.InsertSelectAsync(selectSql, values, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Count == 1 ? "1 pass" : $"{Count.ToString(CultureInfo.InvariantCulture)} passes";
}
