using Tributary.Core.Diagnostics;
using Tributary.Core.Yaml;

namespace Tributary.Core.Loading;

/// <summary>
/// Environment variables a pipeline may not read (<c>${env.NAME}</c>, a component's <c>*_env</c> setting,
/// <c>on_failure</c>'s <c>webhook_url_env</c>): Tributary's own, whose values the server and CLI read for themselves
/// (<c>TRIBUTARY_TOKEN</c>), so every name starting <c>TRIBUTARY_</c>, and the variables tributary.yaml names for the
/// warehouse's and run store's connection strings (which the docs call <c>TRIBUTARY_WAREHOUSE</c> and <c>TRIBUTARY_RUNS</c>).
/// </summary>
public static class ReservedVariables
{
    /// <summary>The prefix of Tributary's own variables, <c>TRIBUTARY_</c>, in any case (TRIB_DEBUG and the tests' TRIB_* hold no secret).</summary>
    public const string Prefix = "TRIBUTARY_";

    /// <summary>True when a pipeline may not read <paramref name="name"/>: a reserved prefix, or one of <paramref name="project"/>'s own.</summary>
    public static bool IsReserved(string name, IReadOnlySet<string> project) =>
        name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || project.Contains(name);

    // Where a pipeline names one: the reference, the *_env setting or on_failure's webhook_url_env.
    internal static Diagnostic Refused(string name, SourceLocation at, string what) =>
        new(DiagnosticCodes.ReservedEnv, at,
            $"{what} names environment variable '{name}', which holds a secret of Tributary itself; a pipeline may not read it.",
            "Give the pipeline its own variable (e.g. SHOPIFY_TOKEN); names starting TRIBUTARY_, and tributary.yaml's postgres_env variables, are Tributary's.");
}
