using System.Diagnostics.CodeAnalysis;

namespace Tributary.Core.Components;

/// <summary>The registry of component types: configured once by the host, then only read.</summary>
public sealed class ComponentCatalog
{
    private readonly Dictionary<string, ComponentDescriptor> _types = new(StringComparer.Ordinal);

    /// <summary>Registers a component type; one line per type in the host's catalog file.</summary>
    public ComponentCatalog Add<TComponent, TParameters>()
        where TComponent : IComponent<TParameters>, new()
        where TParameters : class
    {
        var descriptor = ComponentDescriptor.Create<TComponent, TParameters>();
        if (!_types.TryAdd(descriptor.TypeName, descriptor))
            throw new InvalidOperationException($"Component type '{descriptor.TypeName}' is registered twice.");
        return this;
    }

    /// <summary>Every type, ordered by name.</summary>
    public IReadOnlyList<ComponentDescriptor> Types => _types.Values.OrderBy(t => t.TypeName, StringComparer.Ordinal).ToList();

    /// <summary>Looks a type up by name.</summary>
    public bool TryGet(string typeName, [NotNullWhen(true)] out ComponentDescriptor? descriptor) =>
        _types.TryGetValue(typeName, out descriptor);

    /// <summary>Looks a type up by name; the error names the closest type and the command listing all.</summary>
    public ComponentDescriptor Get(string typeName) =>
        TryGet(typeName, out var d) ? d : throw new KeyNotFoundException(
            $"Unknown component type '{typeName}'.{NameSuggestion.Format(typeName, _types.Keys)} Run 'trib components' to list them.");
}
