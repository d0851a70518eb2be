using Tributary.Cli.Projects;
using Tributary.Server.Intake;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Projects;

/// <summary>
/// The warehouse, run store and intake log hold every email and phone: .tributary/ is 700 and what Tributary keeps there
/// 600, whatever the umask (the suite runs with 022, which gave 755 and 644).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StatePermissionTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempDirectory _temp = new();
    private string State => Path.Combine(_temp.Path, ".tributary");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Open_NewProject_CreatesStateFolder700AndItsFiles600()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes: Windows files take their folder's ACL.");
        Assert.Equal(0, (await Trib.RunAsync("init", _temp.Path)).ExitCode);
        var error = new StringWriter();

        await using (var project = ProjectSession.Open(_temp.Path, TimeProvider.System, error: error))
        {
            await project.WarehouseAsync(Ct);
            await project.StoreAsync(Ct);
            ServerConnection.Announce(project, new Uri("http://127.0.0.1:1/"));
            await using var intake = IntakeLog.Open(Path.Combine(State, "intake.db"), TimeSpan.FromHours(1), TimeProvider.System);

            Assert.Equal(Private, File.GetUnixFileMode(State));
            foreach (var file in new[] { "warehouse.duckdb", "runs.db", "runs.db-wal", "server.json", "intake.db", "intake.db-wal" })
                Assert.True(File.GetUnixFileMode(Path.Combine(State, file)) == OwnerOnly, $"{file}: {File.GetUnixFileMode(Path.Combine(State, file))}");
        }
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task Open_StateFolderOpenToOthers_IsMadePrivateAndSaysSo()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes: Windows files take their folder's ACL.");
        Assert.Equal(0, (await Trib.RunAsync("init", _temp.Path)).ExitCode);
        Directory.CreateDirectory(State);
        File.SetUnixFileMode(State, Private | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.WriteAllText(Path.Combine(State, "runs.db"), "");
        File.SetUnixFileMode(Path.Combine(State, "runs.db"), OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var error = new StringWriter();

        await using (var project = ProjectSession.Open(_temp.Path, TimeProvider.System, error: error))
            await project.StoreAsync(Ct);

        Assert.Equal(Private, File.GetUnixFileMode(State));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(State, "runs.db")));
        Assert.Equal("made .tributary/ private (mode 755 -> 700): it holds the warehouse, the run store and the secrets, which no other local user should read."
            + Environment.NewLine, error.ToString());
    }
}
