namespace Tributary.Warehouse;

/// <summary>Identifier quoting shared by both engines (both use standard SQL double quotes).</summary>
internal static class SqlTypes
{
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
