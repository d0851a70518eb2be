using System.Text.Json;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary><c>trib audiences preview PIPELINE STEP</c> counts what the segment.audience step writes, limit and list values included.</summary>
public sealed class AudiencesCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "project");

    public void Dispose() => _temp.Dispose();

    // Ten companies c0..c9 with clv 0, 10, ..., 90; 'Acme, Inc.' on the odd ones, 'Globex' on the even ones.
    private const string Yaml = """
        pipeline: companies
        components:
          - id: accounts
            type: transform.sql
            with:
              sql: |
                SELECT 'c' || CAST(n AS VARCHAR) AS customer_id, CASE WHEN n % 2 = 1 THEN 'Acme, Inc.' ELSE 'Globex' END AS company,
                       CAST(n * 10 AS DOUBLE PRECISION) AS clv
                FROM generate_series(0, 9) AS s(n)
          - id: top_acme
            type: segment.audience
            inputs: [accounts]
            with:
              conditions:
                - { column: company, op: in, value: ["Acme, Inc.", Initech] }
              limit: 3
              order_by: clv desc
        """;

    private async Task InitAndRunAsync()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "companies.yaml"), Yaml);
        var run = await Trib.RunAsync("run", "companies", "--project", Project);
        Assert.True(run.ExitCode == 0, run.Error);
    }

    [Fact]
    public async Task Preview_AudienceStepWithListValueAndLimit_PrintsTheCountAndTheRowsTheRunWrote()
    {
        await InitAndRunAsync();

        var table = await Trib.RunAsync("audiences", "preview", "companies", "top_acme", "--project", Project);
        var json = await Trib.RunAsync("audiences", "preview", "companies", "top_acme", "--project", Project, "--format", "json");
        var written = await Trib.RunAsync("query", "SELECT customer_id FROM top_acme ORDER BY clv DESC", "--project", Project, "--format", "csv");

        Assert.True(table.ExitCode == 0, table.Error);
        Assert.StartsWith("3 of 10 rows of 'accounts' in audience 'top_acme'", table.Out, StringComparison.Ordinal);
        using var answer = JsonDocument.Parse(json.Out);
        Assert.Equal(3, answer.RootElement.GetProperty("count").GetInt64());
        Assert.Equal(10, answer.RootElement.GetProperty("total").GetInt64());
        var ids = answer.RootElement.GetProperty("sample").EnumerateArray().Select(r => r.GetProperty("customer_id").GetString()).ToList();
        Assert.Equal(["c9", "c7", "c5"], ids);
        Assert.Equal(["customer_id", "c9", "c7", "c5"], written.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
        Assert.Contains("Acme, Inc.", table.Out, StringComparison.Ordinal);
    }

    // Alone, the command group says what it holds rather than System.CommandLine's "Required command was not provided".
    [Fact]
    public async Task Audiences_WithoutASubcommand_PrintsItsSubcommands()
    {
        var result = await Trib.RunAsync("audiences");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Contains("Audiences: the segment.audience steps of the project's pipelines.", result.Out, StringComparison.Ordinal);
        Assert.Contains("preview <pipeline> <step>", result.Out, StringComparison.Ordinal);
        Assert.Contains("Count an audience step's rows as a run would write them now", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_StepThatIsNoAudience_SaysWhichStepsAreAndExitsOne()
    {
        await InitAndRunAsync();

        var result = await Trib.RunAsync("audiences", "preview", "companies", "accounts", "--project", Project);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: step 'accounts' is transform.sql, not segment.audience. Its audiences: top_acme.", result.Error.Trim());
    }
}
