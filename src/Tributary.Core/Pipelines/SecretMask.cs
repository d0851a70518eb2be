using System.Collections.Concurrent;

namespace Tributary.Core.Pipelines;

/// <summary>
/// The environment values one run has read (its pipeline's <c>${env.NAME}</c>, the variables its components' <c>*_env</c>
/// settings name), replaced by <c>&lt;env NAME&gt;</c> in any text the run stores, prints or sends: step errors, events,
/// check details, alerts. Values shorter than <see cref="MinLength"/> characters are left: masking every "1" or "eu"
/// would garble the message and hide no secret.
/// </summary>
public sealed class SecretMask
{
    /// <summary>The shortest value masked: 4 characters.</summary>
    public const int MinLength = 4;

    // Filled while the run goes (a component reads its variable when it starts), read by every step that fails.
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);

    /// <summary>A mask of the values <paramref name="pipeline"/>'s <c>${env.NAME}</c> references took.</summary>
    public static SecretMask Of(PipelineSpec pipeline)
    {
        var mask = new SecretMask();
        foreach (var (name, value) in pipeline.EnvironmentValues) mask.Add(name, value);
        return mask;
    }

    /// <summary>Masks <paramref name="value"/> of variable <paramref name="name"/> from now on; returns it unchanged.</summary>
    public string? Add(string name, string? value)
    {
        if (value is { Length: >= MinLength }) _names.TryAdd(value, name);
        return value;
    }

    /// <summary>An environment that masks every value read through it (a component's <c>*_env</c> variable).</summary>
    public Func<string, string?> Recording(Func<string, string?> environment) => name => Add(name, environment(name));

    /// <summary><paramref name="text"/> with every secret value replaced by <c>&lt;env NAME&gt;</c>, longest first.</summary>
    public string Apply(string text)
    {
        if (_names.IsEmpty || text.Length < MinLength) return text;
        foreach (var (value, name) in _names.OrderByDescending(e => e.Key.Length))
            text = text.Replace(value, $"<env {name}>", StringComparison.Ordinal);
        return text;
    }

    /// <summary><see cref="Apply(string)"/>, null kept.</summary>
    public string? ApplyOrNull(string? text) => text is null ? null : Apply(text);
}
