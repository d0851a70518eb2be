using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Components.Segments;
using Tributary.Core.Components;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Server.Contracts;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>trib audiences preview PIPELINE STEP</c>: how many rows a <c>segment.audience</c> step would write now, out of its
/// input's, and its first rows, through the same <see cref="AudienceQuery"/> the step runs (the Audiences page's count).
/// While <c>trib serve</c> owns the warehouse, the server's preview answers.
/// </summary>
internal static class AudiencesCommand
{
    private const int ServerSampleRows = 20;

    public static Command Create(CliContext cli)
    {
        var command = new Command("audiences", "Audiences: the segment.audience steps of the project's pipelines.");
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline name (or file) that holds the audience step." };
        var step = new Argument<string>("step") { Description = "Id of a segment.audience step of the pipeline." };
        var rows = new Option<int>("--rows", "-n") { Description = $"Rows of the audience to show. Default 20 (at most {ServerSampleRows} through a running trib serve).", DefaultValueFactory = _ => 20 };
        var format = CliContext.FormatOption();
        var preview = new Command("preview", "Count an audience step's rows as a run would write them now (limit included) and show its first rows, without running it.") { pipeline, step, rows, format };
        preview.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var spec = project.LoadPipeline(parse.GetValue(pipeline)!, new Dictionary<string, string>());
            var (component, p) = AudienceStep(spec, parse.GetValue(step)!);
            var input = component.Inputs[0];
            var n = Math.Max(0, parse.GetValue(rows));
            var sample = ServerConnection.Find(project) is { } server
                ? await ThroughServerAsync(server, input, p, Math.Min(n, ServerSampleRows), ct)
                : await LocallyAsync(await project.WarehouseAsync(ct), input, p, spec.Timezone, cli.Time.GetUtcNow().UtcDateTime, n, ct);
            var columns = sample.Schema.Columns.Select(c => c.Name).ToList();
            var f = parse.GetValue(format);
            var summary = $"{sample.Count:N0} of {sample.Total:N0} rows of '{input}' in audience '{component.Id}'";
            if (f == OutputFormat.Json)
            {
                DataWriter.WriteJson(cli.Out, new { count = sample.Count, total = sample.Total, columns, sample = DataWriter.Objects(columns, sample.Rows) });
                return ExitCodes.Success;
            }
            if (f == OutputFormat.Table) cli.Out.WriteLine(summary);
            else cli.Error.WriteLine(summary);
            DataWriter.Write(cli.Out, f, columns, sample.Rows);
            return ExitCodes.Success;
        }));
        command.Subcommands.Add(preview);
        // Alone it says what it holds, as 'trib audiences --help' does, rather than System.CommandLine's bare "Required command was not provided".
        command.SetAction(parse => new System.CommandLine.Help.HelpAction().Invoke(parse));
        return command;
    }

    private static (ComponentSpec Component, AudienceParameters Parameters) AudienceStep(PipelineSpec spec, string id)
    {
        var audiences = spec.Components.Where(c => c.Parameters is AudienceParameters).Select(c => c.Id).ToList();
        var component = spec.Components.FirstOrDefault(c => c.Id == id)
            ?? throw new CliException($"pipeline '{spec.Name}' has no step '{id}'.{NameSuggestion.Format(id, spec.Components.Select(c => c.Id).ToList())}"
                + (audiences.Count == 0 ? " It has no segment.audience step." : $" Its audiences: {string.Join(", ", audiences)}."));
        return component.Parameters is AudienceParameters p ? (component, p)
            : throw new CliException($"step '{id}' is {component.Type}, not segment.audience."
                + (audiences.Count == 0 ? " The pipeline has no segment.audience step." : $" Its audiences: {string.Join(", ", audiences)}."));
    }

    private static async Task<AudienceSample> LocallyAsync(IWarehouse w, string input, AudienceParameters p, string timezone, DateTime nowUtc, int n, CancellationToken ct)
    {
        var schema = await w.DescribeTableAsync(input, ct) ?? throw new CliException($"table '{input}', the audience's input, does not exist yet: run the pipeline first.");
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out var z) ? z : TimeZoneInfo.Utc;
        AudienceQuery query;
        try
        {
            query = AudienceQuery.Build(w.Dialect, input, schema, p.Parsed, p.Match, p.Limit, p.OrderBy, nowUtc, zone);
        }
        catch (InputDataException e)
        {
            throw new CliException(e.Message);
        }
        return await AudienceSample.ReadAsync(w, input, schema, query, n, ct);
    }

    private static async Task<AudienceSample> ThroughServerAsync(ServerConnection server, string input, AudienceParameters p, int n, CancellationToken ct)
    {
        var conditions = p.Parsed.Select(c => new AudienceConditionView(c.Column, c.Op, Values: c.Values)).ToList();
        var answer = await server.PreviewAudienceAsync(new AudiencePreviewRequest(input, conditions, p.Match, p.Limit, p.OrderBy), ct);
        var schema = new TableSchema(answer.Columns.Select(c => new ColumnSchema(c.Name, c.Type.ToString().ToUpperInvariant(), c.Type)).ToList());
        return new AudienceSample(answer.Count, answer.Total, schema, answer.Sample.Take(n).Select(r => r.Select((v, i) => ServerWarehouseReader.Value(v, answer.Columns[i].Type)).ToArray()).ToList());
    }
}
