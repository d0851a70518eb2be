using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Server.Contracts;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Server.Api;

/// <summary>
/// What the web designer needs: templates with their params, component schemas, validation of YAML text with positions,
/// reading and saving pipeline files, and asset previews (JSON and CSV).
/// </summary>
internal static partial class DesignerApi
{
    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9_]+$")]
    private static partial System.Text.RegularExpressions.Regex PipelineName();

    public static void Map(RouteGroupBuilder group, TributaryProject project, Daemon daemon, TimeProvider time)
    {
        // Tagged for the OpenAPI document (otherwise each operation is tagged with the host application's name).
        var api = group.MapGroup("").WithTags("Designer");
        var tableList = new TableList(project.Warehouse, time);

        api.MapGet("/templates", () => TypedResults.Ok<IReadOnlyList<TemplateView>>(
            project.Templates.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => Template(project, t.Key, t.Value)).ToList()));

        api.MapGet("/components/{type}/schema", Results<Ok<JsonNode>, NotFound<ProblemDetails>> (string type) =>
            project.Catalog.TryGet(type, out var d) ? TypedResults.Ok(d.JsonSchema()) : ApiProblems.NotFound($"no component type '{type}'"));

        // name: the pipeline file the text would replace (by default the one it declares), left out of the comparison with the others.
        api.MapPost("/validate", Results<Ok<ValidationReport>, BadRequest<ProblemDetails>> (PipelineYaml body, string? name) =>
        {
            if (name is not null && !PipelineName().IsMatch(name)) return ApiProblems.BadRequest("a pipeline name uses only a-z, 0-9 and _");
            return TypedResults.Ok(new ValidationReport(ApiProblems.Describe(Validate(project, body.Yaml, name))));
        });

        api.MapGet("/pipelines/{name}/yaml", Results<Ok<PipelineYaml>, NotFound<ProblemDetails>> (string name) =>
        {
            var file = Path.Combine(project.PipelinesDirectory, name + ".yaml");
            return PipelineName().IsMatch(name) && File.Exists(file) ? TypedResults.Ok(new PipelineYaml(File.ReadAllText(file))) : ApiProblems.NotFound($"no pipeline '{name}'");
        });

        // Saves a pipeline that has no errors as name.yaml; its warnings do not stop it, and the answer carries them.
        // A new pipeline with a schedule or sensors is saved paused, as trib templates add adds one: resumed on the Schedules & sensors page.
        api.MapPut("/pipelines/{name}/yaml", async Task<Results<Ok<PipelineSaved>, BadRequest<ProblemDetails>>> (string name, PipelineYaml body, CancellationToken ct) =>
        {
            if (!PipelineName().IsMatch(name)) return ApiProblems.BadRequest("a pipeline name uses only a-z, 0-9 and _");
            var diagnostics = Validate(project, body.Yaml, name);
            if (diagnostics.Any(d => !d.IsWarning)) return ApiProblems.Invalid("the pipeline has errors", diagnostics);
            Directory.CreateDirectory(project.PipelinesDirectory);
            var path = Path.Combine(project.PipelinesDirectory, name + ".yaml");
            var created = !File.Exists(path);
            File.WriteAllText(path, body.Yaml);
            if (created && new PipelineLoader(project.Catalog).Load(body.Yaml, name + ".yaml", Designer) is { Succeeded: true } saved && SchedulePause.HasTriggers(saved.Pipeline!))
                await daemon.SetPausedAsync(name, true, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PipelineSaved(name, ApiProblems.Describe(diagnostics)));
        });

        // Every table with its latest materialization (tables written outside pipelines have none), grouped under the step that
        // declared it; internal outputs (a source's files ledger) only with include_internal.
        api.MapGet("/assets", async Task<Ok<IReadOnlyList<AssetSummary>>> ([FromQuery(Name = "include_internal")] bool? includeInternal, CancellationToken ct) =>
        {
            var materializations = await project.Runs.GetLatestMaterializationsAsync(ct).ConfigureAwait(false);
            var tables = await tableList.GetAsync((materializations.Count, materializations.Count == 0 ? default : materializations.Max(m => m.At)), ct).ConfigureAwait(false);
            // The pipeline of each latest writer, one read per run (a handful: the runs that last wrote some table).
            var pipelines = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var runId in materializations.Select(m => m.RunId).Distinct(StringComparer.Ordinal))
                pipelines[runId] = (await project.Runs.GetRunAsync(runId, ct).ConfigureAwait(false))?.Pipeline;
            return TypedResults.Ok<IReadOnlyList<AssetSummary>>(AssetList.Of(tables, materializations, includeInternal ?? false)
                .Select(e => new AssetSummary(e.Table, e.Latest?.At, e.Latest?.RowCount, e.Latest?.RunId, e.Step, e.Output, e.Role,
                    e.Latest is { } m ? pipelines.GetValueOrDefault(m.RunId) : null)).ToList());
        });

        api.MapGet("/assets/{name}/history", async Task<Ok<IReadOnlyList<MaterializationView>>> (string name, CancellationToken ct) =>
            TypedResults.Ok<IReadOnlyList<MaterializationView>>((await project.Runs.GetMaterializationsAsync(null, name, ct).ConfigureAwait(false))
                .OrderBy(m => m.At).Select(MaterializationView.Of).ToList()));

        // A page of rows and the table's true row count, so that a pager can say "rows 26–50 of 1,983"; ordered by a column of the
        // table and narrowed to rows whose text contains a search (or whose key_column holds a key), in SQL, so that sorting sorts
        // the whole table, not the page.
        api.MapGet("/assets/{name}", async Task<Results<Ok<AssetPreview>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> (string name, int? limit, int? offset,
            [FromQuery(Name = "order_by")] string? orderBy, string? direction, string? search,
            [FromQuery(Name = "key_column")] string? keyColumn, [FromQuery(Name = "key")] string[]? keys, CancellationToken ct) =>
        {
            if (await project.Warehouse.DescribeTableAsync(name, ct).ConfigureAwait(false) is not { } schema) return ApiProblems.NotFound($"no table '{name}'");
            var skip = Math.Max(0, offset ?? 0);
            var (query, error) = AssetRowsQuery.Build(project.Warehouse.Dialect, name, schema, orderBy, direction, search, skip, keyColumn, keys);
            if (query is null) return ApiProblems.BadRequest(error!);
            var result = await project.Warehouse.QueryAsync(query.Select, query.Parameters, Math.Clamp(limit ?? 100, 1, 10_000), ct).ConfigureAwait(false);
            var matched = Convert.ToInt64(await project.Warehouse.ScalarAsync(query.Count, query.Parameters, ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            var total = string.IsNullOrWhiteSpace(search) && keyColumn is null ? matched
                : Convert.ToInt64(await project.Warehouse.ScalarAsync($"SELECT count(*) FROM {project.Warehouse.Dialect.Quote(name)}", null, ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            return TypedResults.Ok(new AssetPreview(schema.Columns.Select(c => new ColumnView(c.Name, c.Kind)).ToList(), JsonCells.Finite(result.Rows), total, skip, matched));
        });

        api.MapGet("/assets/{name}/csv", async Task<Results<PushStreamHttpResult, NotFound<ProblemDetails>>> (string name, CancellationToken ct) =>
        {
            if (await project.Warehouse.DescribeTableAsync(name, ct).ConfigureAwait(false) is not { } schema) return ApiProblems.NotFound($"no table '{name}'");
            return TypedResults.Stream(async body =>
            {
                await using var writer = new StreamWriter(body, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
                await writer.WriteAsync(string.Join(",", schema.Columns.Select(c => CsvCell.Quoted(c.Name))) + "\n").ConfigureAwait(false);
                await foreach (var row in project.Warehouse.StreamAsync($"SELECT * FROM {project.Warehouse.Dialect.Quote(name)}", null, ct).ConfigureAwait(false))
                    await writer.WriteAsync(string.Join(",", row.Select((v, i) => CsvCell.Of(v, i < schema.Columns.Count ? schema.Columns[i].Kind : DataKind.Text))) + "\n").ConfigureAwait(false);
            }, "text/csv", $"{name}.csv");
        }).Produces<string>(StatusCodes.Status200OK, "text/csv");
    }

    private static TemplateView Template(TributaryProject project, string name, string yaml)
    {
        var p = new PipelineLoader(project.Catalog).Load(yaml, $"{name}.yaml", new LoadOptions { Environment = _ => "" }).Pipeline;
        return new TemplateView(name, p?.Description, yaml,
            p?.Components.Select(c => new TemplateComponent(c.Id, c.Type)).ToList() ?? [],
            p?.Schedule?.Cron,
            p?.Params.Select(x => new TemplateParam(x.Name, x.Type, x.Value, x.Description, x.Min, x.Max, x.Values)).ToList() ?? []);
    }

    // Environment references are not resolved here: the server's environment is not the designer's concern. The stand-in
    // passes shape checks made of a value set there (a webhook's url: ${env.CRM_WEBHOOK_URL}); .invalid resolves nowhere.
    private static readonly LoadOptions Designer = new() { Environment = _ => "https://env.invalid/set" };

    /// <summary>
    /// The text's own errors; or, when it has none, a TRIB0209 warning (as <c>trib validate</c> gives) for each asset it defines
    /// unlike every other pipeline file of the project that defines it. The text takes the place of the file <paramref name="name"/>
    /// (by default the pipeline it declares); a file that does not load is left out, its errors being its own.
    /// </summary>
    private static List<Diagnostic> Validate(TributaryProject project, string yaml, string? name)
    {
        var loader = new PipelineLoader(project.Catalog);
        var file = (name ?? "pipeline") + ".yaml";
        // Saved as name.yaml, the text is known by that name: its 'pipeline:' must say it (TRIB0210). Its SQL steps are checked
        // against their inputs' columns as trib validate checks them, where the warehouse speaks DuckDB's SQL.
        using var queries = project.Warehouse.Dialect.Name == "duckdb" ? new DuckDbQueryDescriber() : null;
        var edited = loader.Load(yaml, file, Designer with { NamedAfterFile = name is not null, Queries = queries, Paths = project.Paths });
        name ??= edited.DeclaredName?.Value;
        var others = PipelineFiles(project.PipelinesDirectory)
            .Where(f => !string.Equals(Path.GetFileNameWithoutExtension(f), name, StringComparison.Ordinal))
            .Select(f => loader.LoadFile(f, Designer)).ToList();
        // Another file that declares the text's name is an error of the text's, however the rest of it reads (TRIB0211).
        var named = ProjectDefinitions.DuplicateNames([.. others, edited], f => Path.GetRelativePath(project.Directory, f))
            .Where(d => string.Equals(d.Location.File, file, StringComparison.Ordinal));
        if (!edited.Succeeded) return [.. edited.Diagnostics, .. named];
        if (named.Any()) return [.. named];
        // Checked last, the text is warned of wherever it matches none of the others, whichever file sorts first; warnings on the
        // other files (named by their path, never by the text's bare file name) are theirs.
        return ProjectDefinitions.Compare([.. others.Where(r => r.Succeeded).Select(r => r.Pipeline!), edited.Pipeline!], f => Path.GetRelativePath(project.Directory, f))
            .Where(w => string.Equals(w.Location.File, file, StringComparison.Ordinal)).ToList();
    }

    // As the CLI lists them: *.yaml and *.yml in the pipelines folder.
    private static IEnumerable<string> PipelineFiles(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.yaml").Concat(Directory.EnumerateFiles(directory, "*.yml")).Order(StringComparer.Ordinal)
            : [];
}
