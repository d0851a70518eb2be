using System.Diagnostics;
using Tributary.Testing;

namespace Tributary.Cli.Tests;

/// <summary>Runs trib in-process with captured output, or as a child process for crash tests.</summary>
public static class Trib
{
    public sealed record Outcome(int ExitCode, string Out, string Error)
    {
        public IReadOnlyList<string> ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
    }

    public static async Task<Outcome> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await TribApp.RunAsync(args, output, error, TimeProvider.System, TestContext.Current.CancellationToken);
        return new Outcome(code, output.ToString(), error.ToString());
    }

    /// <summary>Starts trib as its own process (the built trib.dll beside the tests), output redirected.</summary>
    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts trib as its own process with extra environment variables.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "trib.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (k, v) in environment) info.Environment[k] = v;
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    public static string NewProject(TempDirectory temp)
    {
        var dir = Path.Combine(temp.Path, "project");
        return dir;
    }
}
