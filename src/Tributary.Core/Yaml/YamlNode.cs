using Tributary.Core.Diagnostics;

namespace Tributary.Core.Yaml;

/// <summary>A YAML node that remembers where it was written, so every error can point at it.</summary>
public abstract record YamlNode(SourceLocation Location)
{
    /// <summary>The node's kind as a user would call it, for "expected X, got Y" messages.</summary>
    public abstract string KindName { get; }
}

/// <summary>A scalar; <see cref="IsPlain"/> is false for quoted scalars, which are never null or numbers.</summary>
public sealed record YamlScalar(string Value, bool IsPlain, SourceLocation Location) : YamlNode(Location)
{
    /// <summary>True for the plain scalars YAML reads as null: empty, <c>~</c> and <c>null</c>.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    /// <inheritdoc />
    public override string KindName => IsNull ? "null" : "a scalar";
}

/// <summary>A mapping whose keys are scalars, in file order.</summary>
public sealed record YamlMapping(IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> Entries, SourceLocation Location)
    : YamlNode(Location)
{
    /// <inheritdoc />
    public override string KindName => "a mapping";

    /// <summary>The value of a key, or null when absent.</summary>
    public YamlNode? this[string key] => Entries.FirstOrDefault(e => e.Key.Value == key).Value;

    /// <summary>The key node of a key, or null when absent.</summary>
    public YamlScalar? KeyNode(string key) => Entries.FirstOrDefault(e => e.Key.Value == key).Key;
}

/// <summary>A sequence, in file order.</summary>
public sealed record YamlSequence(IReadOnlyList<YamlNode> Items, SourceLocation Location) : YamlNode(Location)
{
    /// <inheritdoc />
    public override string KindName => "a list";
}
