using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>Shorthands for the canonical tables' declared schemas and input needs.</summary>
internal static class Schema
{
    public static TableSchema Of(params (string Name, DataKind Kind)[] columns) =>
        new(columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList());

    public static IReadOnlyList<ColumnRequirement> Needs(int input, params string[] columns) =>
        columns.Select(c => new ColumnRequirement(input, c, [])).ToList();
}
