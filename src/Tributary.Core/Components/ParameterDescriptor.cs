namespace Tributary.Core.Components;

/// <summary>One parameter of a component type, read once from its parameters record.</summary>
/// <param name="Name">The YAML name (snake_case of the property).</param>
/// <param name="Kind">How YAML values are read.</param>
/// <param name="Required">Whether YAML must give it (a C# <c>required</c> member).</param>
/// <param name="Description">From <c>[Description]</c>.</param>
/// <param name="Min">From <c>[Range]</c>.</param>
/// <param name="Max">From <c>[Range]</c>.</param>
/// <param name="Allowed">Enum names or <c>[AllowedValues]</c>, in YAML spelling.</param>
/// <param name="Default">The record's default, as YAML would spell it; null when there is none.</param>
public sealed record ParameterDescriptor(string Name, ParameterKind Kind, bool Required, string? Description,
    double? Min, double? Max, IReadOnlyList<string> Allowed, string? Default)
{
    /// <summary>Whether the value names a file the component writes (<see cref="OutputPathAttribute"/>).</summary>
    public bool IsOutputPath { get; init; }
    /// <summary>Whether the value names an IANA time zone (<see cref="TimeZoneNameAttribute"/>).</summary>
    public bool IsTimeZone { get; init; }

    /// <summary>
    /// For a <see cref="ParameterKind.MapList"/>: whether a field may hold a list of text as well as text (its record
    /// declares the fields' values as <see cref="System.Text.Json.JsonElement"/>), e.g. an audience condition's
    /// <c>value: [a, "b, c"]</c>.
    /// </summary>
    public bool FieldsTakeLists { get; init; }
}

/// <summary>How a parameter's YAML value is read.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Named after the YAML type names users write.")]
public enum ParameterKind
{
    /// <summary>Text.</summary>
    String,
    /// <summary>Whole number.</summary>
    Integer,
    /// <summary>Real number.</summary>
    Number,
    /// <summary>true/false.</summary>
    Boolean,
    /// <summary>One of named values.</summary>
    Enum,
    /// <summary>Duration such as <c>10s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>.</summary>
    Duration,
    /// <summary>A list of text values.</summary>
    StringList,
    /// <summary>A list of numbers.</summary>
    NumberList,
    /// <summary>A mapping of names to text values.</summary>
    StringMap,
    /// <summary>A mapping of names to numbers.</summary>
    NumberMap,
    /// <summary>A list of mappings of names to text values (e.g. rules, each with a name, a condition and a weight); see <see cref="ParameterDescriptor.FieldsTakeLists"/>.</summary>
    MapList,
    /// <summary>
    /// SQL text (<see cref="Warehousing.SqlText"/>): its <c>${...}</c> references become bound values, or literals the
    /// dialect quotes, never SQL text.
    /// </summary>
    Sql,
}
