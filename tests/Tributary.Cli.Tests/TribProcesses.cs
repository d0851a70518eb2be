using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Tributary.Cli.Tests;

/// <summary>
/// The trib processes a test starts as children ('trib serve' above all, see <see cref="Trib.Start(string[])"/>): each is
/// kept, and whatever still runs is killed with its own children when the test is disposed.
/// </summary>
public sealed partial class TribProcesses : IDisposable
{
    private readonly List<Process> _started = [];

    /// <summary>Matches the line 'trib serve' writes to standard error once it listens; group 1 is the address.</summary>
    [GeneratedRegex(@"at (http://[^ ]+/)")]
    public static partial Regex Listening();

    /// <summary>Starts trib with extra environment variables, output redirected, and keeps it to kill on dispose.</summary>
    public Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var child = Trib.Start(environment, args);
        _started.Add(child);
        return child;
    }

    /// <summary>Starts 'trib serve' on a free port for <paramref name="project"/> and returns it once it listens.</summary>
    public Task<(Process Server, Uri Address)> ServeAsync(string project, CancellationToken cancellationToken) =>
        ServeAsync(project, new Dictionary<string, string>(), [], cancellationToken);

    /// <summary>
    /// Starts 'trib serve' on a free port for <paramref name="project"/> with extra environment variables and arguments,
    /// reads its standard error until it says where it listens, then drains its output in the background (a full pipe
    /// would stall the server). Throws when the server exits without saying.
    /// </summary>
    public async Task<(Process Server, Uri Address)> ServeAsync(string project, IReadOnlyDictionary<string, string> environment,
        IEnumerable<string> extra, CancellationToken cancellationToken)
    {
        var server = Start(environment, ["serve", "--port", "0", "--project", project, .. extra]);
        while (await server.StandardError.ReadLineAsync(cancellationToken) is { } line)
            if (Listening().Match(line) is { Success: true } m)
            {
                _ = DrainAsync(server.StandardError);
                _ = DrainAsync(server.StandardOutput);
                return (server, new Uri(m.Groups[1].Value));
            }
        await server.WaitForExitAsync(cancellationToken);
        throw new InvalidOperationException($"trib serve exited with {server.ExitCode} before listening");
    }

    /// <summary>Kills every process still running and waits until all have exited (a DuckDB file is free after it).</summary>
    public async Task KillAllAsync(CancellationToken cancellationToken)
    {
        foreach (var c in _started.Where(c => !c.HasExited)) c.Kill(entireProcessTree: true);
        foreach (var c in _started) await c.WaitForExitAsync(cancellationToken);
    }

    private static async Task DrainAsync(StreamReader output)
    {
        while (await output.ReadLineAsync(CancellationToken.None) is not null) { }
    }

    public void Dispose()
    {
        foreach (var c in _started.Where(c => !c.HasExited)) c.Kill(entireProcessTree: true);
        // Exited before the test deletes its folder, which a dying server could still be writing to.
        foreach (var c in _started)
        {
            c.WaitForExit();
            c.Dispose();
        }
    }
}
