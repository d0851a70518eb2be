using System.Numerics;
using Tributary.Core.Warehousing;

namespace Tributary.Warehouse;

/// <summary>
/// One .NET type per portable kind for every value read from a warehouse, so no component branches on an engine's
/// client types: whole numbers are <see cref="long"/> (DuckDB's HUGEINT and unsigned types included, or
/// <see cref="double"/> beyond its range), other numbers <see cref="double"/> (decimals included), dates
/// <see cref="DateOnly"/> (Npgsql reads DATE as DateTime), timestamps <see cref="DateTime"/>, booleans <see cref="bool"/>.
/// </summary>
public static class Portable
{
    /// <summary>The portable form of <paramref name="value"/>, read from a column of <paramref name="kind"/>.</summary>
    public static object Of(object value, DataKind kind) => value switch
    {
        BigInteger b => b >= long.MinValue && b <= long.MaxValue ? (long)b : (double)b,
        ulong u => u <= long.MaxValue ? (long)u : (double)u,
        int or short or sbyte or byte or ushort or uint => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        decimal m when kind == DataKind.Integer && decimal.Truncate(m) == m && m >= long.MinValue && m <= long.MaxValue => (long)m,
        decimal m => (double)m,
        float f => (double)f,
        DateTime t when kind == DataKind.Date => DateOnly.FromDateTime(t),
        DateTimeOffset o => o.UtcDateTime,
        _ => value,
    };
}
