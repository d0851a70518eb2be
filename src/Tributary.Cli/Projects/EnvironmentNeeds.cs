using System.Text.RegularExpressions;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;

namespace Tributary.Cli.Projects;

/// <summary>
/// The environment variables a pipeline file names (<c>${env.NAME}</c>, a <c>*_env</c> setting such as a webhook's
/// <c>url_env</c>, <c>on_failure</c>'s <c>webhook_url_env</c>) that this process's environment lacks, each with the place
/// in the file that names it: what a template needs before it runs in full.
/// </summary>
internal static partial class EnvironmentNeeds
{
    /// <summary>One variable not set here, and the loader's diagnostic at the place that names it.</summary>
    public sealed record Need(string Variable, Diagnostic Where);

    /// <summary>The unset variables <paramref name="file"/> names, in file order.</summary>
    public static IReadOnlyList<Need> Of(ProjectSession project, string file, Func<string, string?>? environment = null)
    {
        var loaded = new PipelineLoader(project.Catalog).LoadFile(file, new LoadOptions
        {
            NamedAfterFile = project.IsPipelineFile(file), ReservedEnvironment = project.ReservedEnvironment, Paths = project.Settings.Paths,
            Timezone = project.Settings.Timezone, Environment = environment ?? Environment.GetEnvironmentVariable,
        });
        // The loader's UndefinedEnv diagnostics all quote the variable as 'NAME'.
        return loaded.Diagnostics.Where(d => d.Code == DiagnosticCodes.UndefinedEnv)
            .Select(d => (Match: Quoted().Match(d.Message), Where: d)).Where(m => m.Match.Success)
            .Select(m => new Need(m.Match.Groups[1].Value, m.Where with { Location = m.Where.Location with { File = project.Relative(m.Where.Location.File) } }))
            .OrderBy(n => n.Where.Location.Line).ThenBy(n => n.Where.Location.Column)
            .ToList();
    }

    [GeneratedRegex("environment variable '([^']+)'")]
    private static partial Regex Quoted();
}
