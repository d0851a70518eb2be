using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>The table schema a platform source declares at plan time.</summary>
internal static class PlatformSchemas
{
    public static TableSchema Of(PlatformLayout layout) =>
        new(layout.OutputColumns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList());
}
