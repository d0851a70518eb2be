namespace Tributary.Server.Api;

/// <summary>Warehouse values as the API's JSON can hold them.</summary>
internal static class JsonCells
{
    /// <summary>
    /// The rows with each NaN or infinity as null: a DOUBLE column can hold them (a model card's undefined AUC), JSON has no
    /// such number, and one such cell would otherwise fail the whole answer. Rows without one are returned as they are.
    /// </summary>
    public static IReadOnlyList<object?[]> Finite(IReadOnlyList<object?[]> rows)
    {
        if (!rows.Any(r => r.Any(NotFinite))) return rows;
        return rows.Select(r => r.Any(NotFinite) ? r.Select(v => NotFinite(v) ? null : v).ToArray() : r).ToList();
    }

    private static bool NotFinite(object? value) => value is double d ? !double.IsFinite(d) : value is float f && !float.IsFinite(f);
}
