using System.Text.Json;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

public sealed class RunCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "alerting");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_WithoutAServer_FailingStep_PostsTheOnFailureAlert()
    {
        using var hook = new WebhookListener();
        // A variable of this test's own: tests share the process environment.
        var variable = "TRIB_TEST_FAIL_URL_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, hook.Url);
        try
        {
            Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
            File.WriteAllText(Path.Combine(Project, "pipelines", "failer.yaml"), $$"""
                pipeline: failer
                on_failure: { webhook_url_env: {{variable}} }
                components:
                  - { id: ok, type: transform.sql, with: { sql: SELECT 1 AS v } }
                  - { id: boom, type: transform.sql, inputs: [ok], with: { sql: "SELECT error('boom') AS v FROM ok" } }
                """);

            var failed = await Trib.RunAsync("run", "failer", "--project", Project);
            var succeeded = await Trib.RunAsync("run", "failer", "--select", "ok", "--project", Project);

            Assert.Equal(2, failed.ExitCode);
            var text = JsonDocument.Parse(await hook.NextAsync(TimeSpan.FromSeconds(10), Ct)).RootElement.GetProperty("text").GetString()!;
            Assert.StartsWith("Tributary: run ", text, StringComparison.Ordinal);
            Assert.Contains(" of 'failer' failed at step 'boom' (transform.sql): ", text, StringComparison.Ordinal);
            Assert.Equal(0, succeeded.ExitCode);
            Assert.Empty(hook.Received());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
