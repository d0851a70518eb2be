using System.Net;
using System.Net.Http.Json;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>GET /api/demo/ground-truth/channels: the demo's truth when the generator wrote it, a 404 saying why otherwise.</summary>
public sealed class DemoTruthApiTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(null, HttpStatusCode.NotFound)]
    [InlineData("channel,true_conversions,true_share\npaid_search,286.5,0.75\nemail,95.5,0.25\n", HttpStatusCode.OK)]
    [InlineData("channel,true_conversions,true_share,incremental_conversions,incremental_share\npaid_search,286.5,0.75,120,0.8\nemail,95.5,0.25,30,0.2\n", HttpStatusCode.OK)]
    [InlineData("channel,true_conversions,true_share\npaid_search,lots,0.75\n", HttpStatusCode.NotFound)]
    [InlineData("channel,true_conversions,true_share,incremental_conversions,incremental_share\npaid_search,286.5,0.75,many,0.8\n", HttpStatusCode.NotFound)]
    [InlineData("channel,share\npaid_search,0.75\n", HttpStatusCode.NotFound)]
    [InlineData("", HttpStatusCode.NotFound)]
    public async Task Channels_AnswerTheGeneratorsFileOrSayWhyNot(string? file, HttpStatusCode expected)
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        if (file is not null)
        {
            var truth = Directory.CreateDirectory(Path.Combine(directory, "data", "demo", "ground_truth")).FullName;
            File.WriteAllText(Path.Combine(truth, "channels.csv"), file);
        }
        await using var served = await InProcessServer.StartAsync(directory, Ct);
        var http = served.Http;

        using var response = await http.GetAsync("/api/demo/ground-truth/channels", Ct);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            var channels = await response.Content.ReadFromJsonAsync<List<ChannelTruth>>(new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower }, Ct);
            // A file from before the incremental truth answers with nulls there.
            Assert.Equal(file!.Contains("incremental", StringComparison.Ordinal)
                ? [new ChannelTruth("paid_search", 286.5, 0.75, 120, 0.8), new ChannelTruth("email", 95.5, 0.25, 30, 0.2)]
                : [new ChannelTruth("paid_search", 286.5, 0.75), new ChannelTruth("email", 95.5, 0.25)], channels);
        }
    }
}
