using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Core.Diagnostics;

namespace Tributary.Cli;

/// <summary>What every command shares: the global options, the output streams and the clock.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, TimeProvider time)
{
    public TextWriter Out => output;
    public TextWriter Error => error;
    public TimeProvider Time => time;

    public Option<string> Project { get; } = new("--project", "-p")
    {
        Description = "Project folder (default: the current folder).",
        DefaultValueFactory = _ => ".",
        Recursive = true,
    };

    public static Option<OutputFormat> FormatOption() => new("--format")
    {
        Description = "Output format: table, csv or json.",
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    /// <summary>Runs a command body, turning user mistakes into one clear message and exit code 1.</summary>
    public async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (PipelineException e)
        {
            DiagnosticPrinter.Print(error, e.Diagnostics, Environment.CurrentDirectory);
            return ExitCodes.UserError;
        }
        catch (Exception e) when (e is CliException or ArgumentException or KeyNotFoundException or FileNotFoundException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.UserError;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("cancelled");
            return ExitCodes.RunFailed;
        }
        catch (Exception e)
        {
            // Not a user mistake: say what failed in one line; the trace only on request.
            error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            error.WriteLine(Environment.GetEnvironmentVariable("TRIB_DEBUG") == "1" ? e.ToString() : "Set TRIB_DEBUG=1 to see the stack trace, and please report it.");
            return ExitCodes.RunFailed;
        }
    }

    public ProjectSession Open(ParseResult parse) => ProjectSession.Open(parse.GetValue(Project)!, time);
}
