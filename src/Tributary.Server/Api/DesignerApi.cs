using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;

namespace Tributary.Server.Api;

/// <summary>
/// What the web designer needs: templates with their params, component schemas, validation of YAML text with positions,
/// reading and saving pipeline files, and asset previews (JSON and CSV).
/// </summary>
internal static partial class DesignerApi
{
    /// <summary>YAML text to validate or save.</summary>
    internal sealed record YamlBody(string Yaml);

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9_]+$")]
    private static partial System.Text.RegularExpressions.Regex PipelineName();

    public static void Map(RouteGroupBuilder api, TributaryProject project)
    {
        api.MapGet("/templates", () => project.Templates.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t =>
        {
            var loaded = new PipelineLoader(project.Catalog).Load(t.Value, $"{t.Key}.yaml", new LoadOptions { Environment = _ => "" });
            var p = loaded.Pipeline;
            return new
            {
                name = t.Key, description = p?.Description, yaml = t.Value,
                components = p?.Components.Select(c => new { c.Id, c.Type }) ?? [],
                schedule = p?.Schedule?.Cron,
                @params = p?.Params.Select(x => new { x.Name, type = x.Type.ToString().ToLowerInvariant(), @default = x.Value, x.Description, x.Min, x.Max, allowed = x.Values }) ?? [],
            };
        }));

        api.MapGet("/components/{type}/schema", (string type) =>
            project.Catalog.TryGet(type, out var d) ? Results.Text(d.JsonSchema().ToJsonString(), "application/json") : ApiProblems.NotFound($"no component type '{type}'"));

        api.MapPost("/validate", (YamlBody body) => Results.Ok(new { diagnostics = ApiProblems.Describe(Validate(project, body.Yaml, "pipeline.yaml")) }));

        api.MapGet("/pipelines/{name}/yaml", (string name) =>
        {
            var file = Path.Combine(project.PipelinesDirectory, name + ".yaml");
            return PipelineName().IsMatch(name) && File.Exists(file) ? Results.Ok(new { yaml = File.ReadAllText(file) }) : ApiProblems.NotFound($"no pipeline '{name}'");
        });

        // Saves only a pipeline that validates, under the name it declares.
        api.MapPut("/pipelines/{name}/yaml", (string name, YamlBody body) =>
        {
            if (!PipelineName().IsMatch(name)) return ApiProblems.BadRequest("a pipeline name uses only a-z, 0-9 and _");
            var diagnostics = Validate(project, body.Yaml, name + ".yaml");
            if (diagnostics.Count > 0) return ApiProblems.Invalid("the pipeline has errors", diagnostics);
            Directory.CreateDirectory(project.PipelinesDirectory);
            File.WriteAllText(Path.Combine(project.PipelinesDirectory, name + ".yaml"), body.Yaml);
            return Results.Ok(new { saved = name });
        });

        // Every table with its latest materialization (tables written outside pipelines have none).
        api.MapGet("/assets", async (CancellationToken ct) =>
        {
            var tables = await project.Warehouse.ListTablesAsync(ct).ConfigureAwait(false);
            var result = new List<object>();
            foreach (var t in tables)
            {
                var last = (await project.Runs.GetMaterializationsAsync(null, t, ct).ConfigureAwait(false)).MaxBy(m => m.At);
                result.Add(new { name = t, last_materialized = last?.At, rows = last?.RowCount, run_id = last?.RunId });
            }
            return result;
        });

        api.MapGet("/assets/{name}/history", async (string name, CancellationToken ct) =>
            (await project.Runs.GetMaterializationsAsync(null, name, ct).ConfigureAwait(false)).OrderBy(m => m.At).Select(m => new { m.At, m.RowCount, m.RunId, m.Duration }));

        api.MapGet("/assets/{name}", async (string name, int? limit, CancellationToken ct) =>
        {
            if (await project.Warehouse.DescribeTableAsync(name, ct).ConfigureAwait(false) is not { } schema) return ApiProblems.NotFound($"no table '{name}'");
            var result = await project.Warehouse.QueryAsync($"SELECT * FROM {project.Warehouse.Dialect.Quote(name)}", null, Math.Clamp(limit ?? 100, 1, 10_000), ct).ConfigureAwait(false);
            return Results.Ok(new { columns = schema.Columns.Select(c => new { c.Name, type = c.Kind.ToString().ToLowerInvariant() }), rows = result.Rows });
        });

        api.MapGet("/assets/{name}/csv", async (string name, HttpContext context, CancellationToken ct) =>
        {
            if (await project.Warehouse.DescribeTableAsync(name, ct).ConfigureAwait(false) is not { } schema)
            {
                await ApiProblems.NotFound($"no table '{name}'").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            context.Response.ContentType = "text/csv";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}.csv\"";
            await context.Response.WriteAsync(string.Join(",", schema.Columns.Select(c => Csv(c.Name))) + "\n", ct).ConfigureAwait(false);
            await foreach (var row in project.Warehouse.StreamAsync($"SELECT * FROM {project.Warehouse.Dialect.Quote(name)}", null, ct).ConfigureAwait(false))
                await context.Response.WriteAsync(string.Join(",", row.Select(v => Csv(Convert.ToString(v, CultureInfo.InvariantCulture) ?? ""))) + "\n", ct).ConfigureAwait(false);
        });
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    // Environment references are not resolved here: the server's environment is not the designer's concern.
    private static IReadOnlyList<Diagnostic> Validate(TributaryProject project, string yaml, string file) =>
        new PipelineLoader(project.Catalog).Load(yaml, file, new LoadOptions { Environment = _ => "set" }).Diagnostics;
}
