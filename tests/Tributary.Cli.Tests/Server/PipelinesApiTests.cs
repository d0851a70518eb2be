using System.Net.Http.Json;
using Tributary.Server;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>The pipeline list and the schedule editor's next ticks in a project whose reporting zone is not UTC.</summary>
public sealed class PipelinesApiTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    public void Dispose() => _temp.Dispose();

    private async Task<InProcessServer> ServeNewYorkProjectAsync()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.AppendAllText(Path.Combine(Project, "tributary.yaml"), "\ntimezone: America/New_York\n");
        File.WriteAllText(Path.Combine(Project, "pipelines", "daily.yaml"), """
            pipeline: daily
            schedule: { cron: "0 7 * * *" }
            components: [{ id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }]
            """);
        return await InProcessServer.StartAsync(Project, Ct);
    }

    [Fact]
    public async Task List_ScheduleWithoutTimezoneInANewYorkProject_IsOnNewYorksClockAndNamesTheReportingZone()
    {
        await using var server = await ServeNewYorkProjectAsync();

        var daily = Assert.Single((await server.Http.GetFromJsonAsync<List<PipelineSummary>>("/api/pipelines", ApiJson.Options, Ct))!, p => p.Name == "daily");

        Assert.Equal(("America/New_York", "America/New_York"), (daily.Timezone, daily.ReportingTimezone));
        Assert.Equal((7, 0), (TimeZoneInfo.ConvertTime(daily.NextTick!.Value, NewYork).Hour, TimeZoneInfo.ConvertTime(daily.NextTick.Value, NewYork).Minute));
    }

    [Fact]
    public async Task CronNext_WithoutTimezone_TicksOnTheProjectsClock()
    {
        await using var server = await ServeNewYorkProjectAsync();

        var ticks = (await server.Http.GetFromJsonAsync<List<DateTimeOffset>>("/api/cron/next?expression=0%207%20*%20*%20*&count=3", ApiJson.Options, Ct))!;

        Assert.Equal(3, ticks.Count);
        Assert.All(ticks, t => Assert.Equal(7, TimeZoneInfo.ConvertTime(t, NewYork).Hour));
    }
}
