using Tributary.Core.Diagnostics;
using Tributary.Core.Pipelines;

namespace Tributary.Components.Activation;

/// <summary>
/// Where a project's audience files go: a raw one (csv, parquet: emails and phones as they are) in the folder of hashed
/// ad-platform files is one a script uploading that folder sends to Meta or Google too, unhashed.
/// </summary>
public static class AudienceFolders
{
    /// <summary>
    /// A warning (TRIB0213) at each raw audience file written to a folder that hashed ones of <paramref name="pipelines"/> are
    /// written to, naming one of those; <paramref name="projectDirectory"/> resolves the relative paths.
    /// </summary>
    public static IReadOnlyList<Diagnostic> Check(IReadOnlyList<PipelineSpec> pipelines, string projectDirectory, Func<string, string>? fileName = null)
    {
        var files = pipelines.SelectMany(p => p.Components.Where(c => c.Parameters is AudienceFileParameters).Select(c => (Pipeline: p, Component: c, Parameters: (AudienceFileParameters)c.Parameters)))
            .Select(f => (f.Pipeline, f.Component, f.Parameters, Folder: Folder(f.Parameters.Path, projectDirectory),
                Hashed: f.Parameters.Format is AudienceFormat.MetaCustomAudience or AudienceFormat.GoogleCustomerMatch))
            .ToList();
        var warnings = new List<Diagnostic>();
        foreach (var raw in files.Where(f => !f.Hashed))
        {
            var hashed = files.FirstOrDefault(f => f.Hashed && string.Equals(f.Folder, raw.Folder, StringComparison.Ordinal));
            if (hashed.Component is null) continue;
            var where = hashed.Pipeline == raw.Pipeline ? $"step '{hashed.Component.Id}'" : $"step '{hashed.Component.Id}' of pipeline '{hashed.Pipeline.Name}' ({(fileName ?? (f => f))(hashed.Pipeline.File)})";
            warnings.Add(new Diagnostic(DiagnosticCodes.RawAudienceBesideHashed, raw.Component.Location,
                $"audience file '{raw.Component.Id}' writes raw contact data ({Name(raw.Parameters.Format)}: emails and phones as they are) to {Path.GetRelativePath(projectDirectory, raw.Folder)}, "
                + $"where {where} writes hashed {Name(hashed.Parameters.Format)} files: whatever uploads that folder to an ad platform would send these unhashed.",
                "Write it to another folder (e.g. out/contacts/), or use format: meta_custom_audience or google_customer_match.") { IsWarning = true });
        }
        return warnings;
    }

    private static string Name(AudienceFormat format) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(format.ToString());

    // The folder a path writes to: {segment} names files, so it is left in the file name.
    private static string Folder(string path, string projectDirectory) =>
        Path.GetDirectoryName(Path.GetFullPath(path, projectDirectory)) ?? projectDirectory;
}
