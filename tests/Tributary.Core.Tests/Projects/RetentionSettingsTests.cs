using Tributary.Core.Diagnostics;
using Tributary.Core.Projects;
using Tributary.Testing;

namespace Tributary.Core.Tests.Projects;

public sealed class RetentionSettingsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private ProjectSettings Load(string yaml)
    {
        File.WriteAllText(Path.Combine(_temp.Path, ProjectSettings.FileName), yaml);
        return ProjectSettings.Load(_temp.Path);
    }

    [Fact]
    public void Load_NoRetention_KeepsRunsNinetyDaysTicksThirtyAndSkippedTicksOne()
    {
        var r = Load("parallelism: 2\n").Retention;

        Assert.Equal((TimeSpan.FromDays(90), TimeSpan.FromDays(30), TimeSpan.FromDays(1)), (r.Runs, r.Ticks, r.SkippedTicks));
    }

    [Fact]
    public void Load_RetentionInDaysHoursOrForever_IsKept()
    {
        var r = Load("retention: { runs: 30d, ticks: forever, skipped_ticks: 12h }\n").Retention;

        Assert.Equal((TimeSpan.FromDays(30), (TimeSpan?)null, TimeSpan.FromHours(12)), (r.Runs, r.Ticks, r.SkippedTicks));
    }

    [Theory]
    [InlineData("retention:\n  runs: 90 days\n", 2, "'retention.runs' in tributary.yaml must be a number of days or hours, such as 90d or 12h, or 'forever'; got '90 days'.")]
    [InlineData("retention:\n  ticks: -1d\n", 2, "'retention.ticks' in tributary.yaml must be a number of days or hours, such as 90d or 12h, or 'forever'; got '-1d'.")]
    [InlineData("retention:\n  skipped_ticks: 0h\n", 2, "'retention.skipped_ticks' in tributary.yaml must be at least 1h, got '0h'.")]
    [InlineData("retention:\n  run: 90d\n", 2, "unknown key 'run' in 'retention'. Did you mean 'runs'?")]
    [InlineData("retention: 90d\n", 1, "'retention' must be a mapping, got a scalar.")]
    public void Load_BadRetention_IsRefusedWithFileAndLine(string yaml, int line, string expected)
    {
        var error = Assert.Throws<PipelineException>(() => Load(yaml));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal((expected, line), (diagnostic.Message, diagnostic.Location.Line));
    }
}
