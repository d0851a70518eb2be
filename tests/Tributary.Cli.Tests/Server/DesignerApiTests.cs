using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tributary.Cli.Hosting;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Engine.Orchestration;
using Tributary.Server;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>
/// The designer's validation and save beside the project's other pipeline files: an asset the text defines unlike another
/// pipeline is a warning (TRIB0209, as trib validate gives), which never stops a save and comes back with it.
/// </summary>
public sealed class DesignerApiTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "project");
    private string Pipelines => Path.Combine(Project, "pipelines");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private const string Ltv = """
        pipeline: ltv
        components:
          - { id: orders, type: transform.sql, with: { sql: "SELECT 'a@x' AS email" } }
          - { id: identity_graph, type: transform.sql, inputs: [orders], with: { sql: "SELECT email AS identifier FROM orders" } }
        """;

    private const string Attribution = """
        pipeline: attribution
        components:
          - { id: orders, type: transform.sql, with: { sql: "SELECT 'a@x' AS email" } }
          - { id: events, type: transform.sql, with: { sql: "SELECT 'anon' AS anonymous_id" } }
          - id: identity_graph
            type: transform.sql
            inputs: [orders, events]
            with: { sql: "SELECT email AS identifier FROM orders UNION ALL SELECT anonymous_id FROM events" }
        """;

    private const string Clash = "and both write table 'identity_graph': whichever runs last replaces the other's, and a partial run of the other then fails until it rebuilds it.";
    private const string Hint = "Give one of them another id, or define both alike.";

    private static DiagnosticView Warning(int line, string pipeline, string other, string at, string otherPipeline) =>
        new("TRIB0209", DiagnosticSeverity.Warning, line, 5,
            $"asset 'identity_graph' of pipeline '{pipeline}' is defined differently in pipelines/{other}.yaml:{at} (pipeline '{otherPipeline}'), {Clash}", Hint);

    // trib serve in this process on a fresh project holding the given pipeline files (name, YAML).
    private async Task<(TributaryServer Server, HttpClient Http, ProjectSession Session)> ServeAsync(params (string Name, string Yaml)[] files)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        foreach (var (name, yaml) in files) File.WriteAllText(Path.Combine(Pipelines, name + ".yaml"), yaml);
        var cli = new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System);
        var session = ProjectSession.Open(Project, cli.Time);
        var compose = await TributaryHost.ComposeAsync(cli, session, new DaemonScope(new DaemonOptions()), LogFormat.Text, Ct);
        var server = TributaryServer.Create(new ServerOptions { Port = 0 }, compose);
        await server.StartAsync(Ct);
        return (server, new HttpClient { BaseAddress = server.Address }, session);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<T>(text, ApiJson.Options)!;
    }

    private static async Task<string?> DetailAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("detail").GetString();

    private static Task<HttpResponseMessage> ValidateAsync(HttpClient http, string yaml, string? name = null) =>
        http.PostAsJsonAsync(name is null ? "/api/validate" : $"/api/validate?name={name}", new PipelineYaml(yaml), ApiJson.Options, Ct);

    // The designer shows what trib validate says: an SQL step's misspelt column, at its sql, before the pipeline is saved or run.
    [Fact]
    public async Task Validate_SqlStepNamingAColumnItsInputLacks_IsAnErrorAtTheSql()
    {
        var (server, http, session) = await ServeAsync();
        await using (server) await using (session) using (http)
        {
            var report = await ReadAsync<ValidationReport>(await ValidateAsync(http, """
                pipeline: typo
                components:
                  - { id: orders, type: source.csv, with: { path: o.csv, columns: { email: VARCHAR, total: DOUBLE } } }
                  - { id: big, type: transform.sql, inputs: [orders], with: { sql: "SELECT emial FROM orders WHERE total > 100" } }
                """));

            var error = Assert.Single(report.Diagnostics);
            Assert.Equal(("TRIB0212", DiagnosticSeverity.Error, 4), (error.Code, error.Severity, error.Line));
            Assert.Contains("\"emial\"", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Validate_AssetDefinedUnlikeInAnotherPipelineFile_WarnsAtTheAssetNamingTheOtherFile()
    {
        var (server, http, session) = await ServeAsync(("attribution", Attribution), ("broken", "pipeline: broken\ncomponents: [\n"));
        await using (server) await using (session) using (http)
        {
            var named = await ReadAsync<ValidationReport>(await ValidateAsync(http, Ltv, "ltv"));
            var declared = await ReadAsync<ValidationReport>(await ValidateAsync(http, Ltv));

            // The file that does not load is left out: its errors are its own, not the edited pipeline's.
            Assert.Equal([Warning(4, "ltv", "attribution", "5:5", "attribution")], named.Diagnostics);
            Assert.Equal(named.Diagnostics, declared.Diagnostics);
        }
    }

    [Fact]
    public async Task PipelineList_FileThatDoesNotLoad_NamesItWithinTheProject_NotWhereTheProjectLiesOnDisk()
    {
        var (server, http, session) = await ServeAsync(("attribution", Attribution), ("broken", "pipeline: broken\ncomponents:\n  - { id: a, type: no.such }\n"));
        await using (server) await using (session) using (http)
        {
            var list = await ReadAsync<List<PipelineSummary>>(await http.GetAsync("/api/pipelines", Ct));

            var broken = Assert.Single(list, p => p.Name == "broken");
            Assert.StartsWith("pipelines/broken.yaml:3:", broken.Error, StringComparison.Ordinal);
            Assert.Contains("no.such", broken.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(_temp.Path, broken.Error, StringComparison.Ordinal);
            Assert.Null(Assert.Single(list, p => p.Name == "attribution").Error);
        }
    }

    [Fact]
    public async Task Validate_TextOfAFileThatSortsFirst_IsWarnedOfToo_AndTakesThePlaceOfItsOwnFile()
    {
        // attribution.yaml on disk defines identity_graph as ltv.yaml does: only the edited text differs, and were the file not
        // replaced by the text, the warning would name it (it sorts first) instead of ltv.yaml.
        var (server, http, session) = await ServeAsync(("attribution", Ltv.Replace("pipeline: ltv", "pipeline: attribution", StringComparison.Ordinal)), ("ltv", Ltv));
        await using (server) await using (session) using (http)
        {
            var edited = await ReadAsync<ValidationReport>(await ValidateAsync(http, Attribution, "attribution"));
            var unchanged = await ReadAsync<ValidationReport>(await ValidateAsync(http, Ltv, "ltv"));

            Assert.Equal([Warning(5, "attribution", "ltv", "4:5", "ltv")], edited.Diagnostics);
            Assert.Empty(unchanged.Diagnostics);
        }
    }

    [Fact]
    public async Task Validate_TextWithErrors_AnswersTheErrorsAsErrors_AndABadNameIsRefused()
    {
        var (server, http, session) = await ServeAsync(("attribution", Attribution));
        await using (server) await using (session) using (http)
        {
            var report = await ReadAsync<ValidationReport>(await ValidateAsync(http, "pipeline: ltv\ncomponents:\n  - { id: identity_graph, type: no.such.type }\n", "ltv"));
            var refused = await ValidateAsync(http, Ltv, "../ltv");

            var error = Assert.Single(report.Diagnostics);
            Assert.Equal((DiagnosticSeverity.Error, 3), (error.Severity, error.Line));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("a pipeline name uses only a-z, 0-9 and _", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Save_AssetDefinedUnlikeInAnotherPipelineFile_SavesAndAnswersTheWarning()
    {
        var (server, http, session) = await ServeAsync(("attribution", Attribution));
        await using (server) await using (session) using (http)
        {
            var saved = await ReadAsync<PipelineSaved>(await http.PutAsJsonAsync("/api/pipelines/ltv/yaml", new PipelineYaml(Ltv), ApiJson.Options, Ct));

            Assert.Equal("ltv", saved.Saved);
            Assert.Equal([Warning(4, "ltv", "attribution", "5:5", "attribution")], saved.Warnings);
            Assert.Equal(Ltv, await File.ReadAllTextAsync(Path.Combine(Pipelines, "ltv.yaml"), Ct));
            // Saved again unchanged, it is compared with the others and not with its own file.
            Assert.Equal(saved.Warnings, (await ReadAsync<PipelineSaved>(await http.PutAsJsonAsync("/api/pipelines/ltv/yaml", new PipelineYaml(Ltv), ApiJson.Options, Ct))).Warnings);
        }
    }

    // A pipeline the designer creates from a template starts paused, as trib templates add adds it; saving an existing one keeps its state.
    [Fact]
    public async Task Save_NewPipelineWithASchedule_IsPausedAndAnExistingOneKeepsItsState()
    {
        var scheduled = Ltv.Replace("components:", "schedule: { cron: \"0 6 * * *\", timezone: UTC }\ncomponents:", StringComparison.Ordinal);
        var (server, http, session) = await ServeAsync(("attribution", Attribution.Replace("components:", "schedule: { cron: \"0 7 * * *\", timezone: UTC }\ncomponents:", StringComparison.Ordinal)));
        await using (server) await using (session) using (http)
        {
            (await http.PutAsJsonAsync("/api/pipelines/ltv/yaml", new PipelineYaml(scheduled), ApiJson.Options, Ct)).EnsureSuccessStatusCode();
            (await http.PutAsJsonAsync("/api/pipelines/attribution/yaml", new PipelineYaml(await File.ReadAllTextAsync(Path.Combine(Pipelines, "attribution.yaml"), Ct)), ApiJson.Options, Ct))
                .EnsureSuccessStatusCode();

            var listed = await http.GetFromJsonAsync<List<PipelineSummary>>("/api/pipelines", ApiJson.Options, Ct);
            Assert.Equal([("attribution", (bool?)false), ("ltv", true)], listed!.Select(p => (p.Name, p.Paused)).OrderBy(p => p.Name));
        }
    }

    // The documented way to keep a webhook's token out of YAML: the environment is not the designer's, so its value is not checked.
    [Fact]
    public async Task Save_WebhookUrlFromTheEnvironment_Saves()
    {
        const string activation = """
            pipeline: activation
            components:
              - { id: contacts, type: transform.sql, with: { sql: "SELECT 'a@x' AS email" } }
              - { id: crm_webhook, type: activate.webhook, inputs: [contacts], with: { url: "${env.GROWTH_HOOK_URL}", secret_env: GROWTH_HOOK_SECRET, key: email, consent: ignore } }
            """;
        var (server, http, session) = await ServeAsync();
        await using (server) await using (session) using (http)
        {
            var saved = await ReadAsync<PipelineSaved>(await http.PutAsJsonAsync("/api/pipelines/activation/yaml", new PipelineYaml(activation), ApiJson.Options, Ct));

            Assert.Equal("activation", saved.Saved);
            Assert.Equal(activation, await File.ReadAllTextAsync(Path.Combine(Pipelines, "activation.yaml"), Ct));
        }
    }

    [Fact]
    public async Task Save_NameOfAnotherFileOrNotTheFilesName_IsRefused()
    {
        var (server, http, session) = await ServeAsync(("ltv", Ltv));
        await using (server) await using (session) using (http)
        {
            var copy = await http.PutAsJsonAsync("/api/pipelines/ltv_copy/yaml", new PipelineYaml(Ltv), ApiJson.Options, Ct);
            var other = await http.PutAsJsonAsync("/api/pipelines/newone/yaml", new PipelineYaml(Ltv.Replace("pipeline: ltv", "pipeline: other_name", StringComparison.Ordinal)), ApiJson.Options, Ct);
            var list = await ReadAsync<List<PipelineSummary>>(await http.GetAsync("/api/pipelines", Ct));

            Assert.Equal(HttpStatusCode.BadRequest, copy.StatusCode);
            var copyText = await copy.Content.ReadAsStringAsync(Ct);
            Assert.Contains("TRIB0210", copyText, StringComparison.Ordinal);
            Assert.Contains("pipeline 'ltv' is also declared in pipelines/ltv.yaml:1:11", copyText, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
            Assert.Contains("pipeline name 'other_name' is not the file's name 'newone'", await other.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(Pipelines, "ltv_copy.yaml")));
            Assert.False(File.Exists(Path.Combine(Pipelines, "newone.yaml")));
            Assert.Equal(["ltv"], list.Select(p => p.Name));
        }
    }

    // The reviewer's repro: saved through the designer and run, this copied the server's token into a table /api/assets serves.
    [Fact]
    public async Task Save_PipelineReadingTheServersToken_IsRefusedAtTheReference()
    {
        var (server, http, session) = await ServeAsync();
        await using (server) await using (session) using (http)
        {
            var leak = "pipeline: env_leak\ncomponents:\n  - { id: leaked_env, type: transform.sql, with: { sql: \"SELECT ${env.TRIBUTARY_TOKEN} AS token\" } }\n";

            var saved = await http.PutAsJsonAsync("/api/pipelines/env_leak/yaml", new PipelineYaml(leak), ApiJson.Options, Ct);

            var body = await saved.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.BadRequest, saved.StatusCode);
            Assert.True(body.Contains("TRIB0303", StringComparison.Ordinal) && body.Contains("names environment variable 'TRIBUTARY_TOKEN', which holds a secret of Tributary itself", StringComparison.Ordinal), body);
            Assert.False(File.Exists(Path.Combine(Pipelines, "env_leak.yaml")));
        }
    }

    [Fact]
    public async Task Save_ExportOverAControlFile_IsRefusedAtThePathKeyAndNothingIsSaved()
    {
        var (server, http, session) = await ServeAsync();
        await using (server) await using (session) using (http)
        {
            const string Evil = """
                pipeline: evil_export
                components:
                  - { id: cfg, type: transform.sql, with: { sql: "SELECT 1 AS a" } }
                  - { id: cfg_file, type: export.csv, inputs: [cfg], with: { path: tributary.yaml } }
                """;
            var settings = File.ReadAllText(Path.Combine(Project, "tributary.yaml"));

            var saved = await http.PutAsJsonAsync("/api/pipelines/evil_export/yaml", new PipelineYaml(Evil), ApiJson.Options, Ct);
            var checkedOnly = await ReadAsync<ValidationReport>(await ValidateAsync(http, Evil.Replace("tributary.yaml", "pipelines/other.yaml", StringComparison.Ordinal)));

            Assert.Equal(HttpStatusCode.BadRequest, saved.StatusCode);
            var text = await saved.Content.ReadAsStringAsync(Ct);
            Assert.Contains("TRIB0111", text, StringComparison.Ordinal);
            Assert.Contains("parameter 'path': path 'tributary.yaml' resolves to", text, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(Pipelines, "evil_export.yaml")));
            Assert.Equal(settings, File.ReadAllText(Path.Combine(Project, "tributary.yaml")));
            var problem = Assert.Single(checkedOnly.Diagnostics);
            Assert.Equal(("TRIB0111", 4, 62), (problem.Code, problem.Line, problem.Column));
        }
    }

    [Fact]
    public async Task AssetPreview_OrderedBySearchedIn_PagesTheWholeTable_AndAnUnknownColumnIs400()
    {
        var (server, http, session) = await ServeAsync();
        await using (server) await using (session) using (http)
        {
            var warehouse = await session.WarehouseAsync(Ct);
            await warehouse.ExecuteAsync("CREATE TABLE ltv AS SELECT 'p_' || lpad(CAST(i AS VARCHAR), 3, '0') AS customer_id, (i * 7) % 31 AS clv FROM range(1, 31) t(i)", null, Ct);

            var top = await ReadAsync<AssetPreview>(await http.GetAsync("/api/assets/ltv?order_by=clv&direction=desc&limit=3", Ct));
            var next = await ReadAsync<AssetPreview>(await http.GetAsync("/api/assets/ltv?order_by=clv&direction=desc&limit=3&offset=3", Ct));
            var searched = await ReadAsync<AssetPreview>(await http.GetAsync("/api/assets/ltv?search=P_01&order_by=customer_id&direction=desc&limit=3", Ct));
            var column = await http.GetAsync("/api/assets/ltv?order_by=clv%22%20DESC%3B%20--", Ct);
            var direction = await http.GetAsync("/api/assets/ltv?order_by=clv&direction=sideways", Ct);

            // Rows 1-6 of the whole table by clv: the highest value of 30 rows comes first, not the page's.
            Assert.Equal([30L, 29, 28], top.Rows.Select(r => ((JsonElement)r[1]!).GetInt64()));
            Assert.Equal([27L, 26, 25], next.Rows.Select(r => ((JsonElement)r[1]!).GetInt64()));
            Assert.Equal((30L, 30L, 3L), (top.Total, top.Matched, next.Offset));
            Assert.Equal(["p_019", "p_018", "p_017"], searched.Rows.Select(r => ((JsonElement)r[0]!).GetString()));
            Assert.Equal((30L, 10L), (searched.Total, searched.Matched));
            Assert.Equal(HttpStatusCode.BadRequest, column.StatusCode);
            Assert.Equal("table 'ltv' has no column 'clv\" DESC; --'; its columns are customer_id, clv", await DetailAsync(column));
            Assert.Equal(HttpStatusCode.BadRequest, direction.StatusCode);
            Assert.Equal("direction must be asc or desc, got 'sideways'", await DetailAsync(direction));
        }
    }

    [Fact]
    public async Task AssetPreview_NumbersJsonCannotHold_AreNull_NotAServerError()
    {
        var (server, http, session) = await ServeAsync();
        await using (server) await using (session) using (http)
        {
            // A model card's table written before undefined measures were NULL: NaN and infinities have no JSON number.
            var warehouse = await session.WarehouseAsync(Ct);
            await warehouse.ExecuteAsync("CREATE TABLE churn__metrics AS SELECT metric, CAST(v AS DOUBLE) AS value FROM (VALUES ('auc', 'NaN'), ('ece', '0.077'), ('lift', 'Infinity')) t(metric, v)", null, Ct);

            var preview = await ReadAsync<AssetPreview>(await http.GetAsync("/api/assets/churn__metrics?order_by=metric", Ct));

            Assert.Equal([("auc", "null"), ("ece", "0.077"), ("lift", "null")],
                preview.Rows.Select(r => (((JsonElement)r[0]!).GetString(), r[1] is JsonElement e ? e.GetRawText() : "null")));
        }
    }
}
