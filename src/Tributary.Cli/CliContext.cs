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
        // The parser's own message would name the .NET enum type; this one names the choices.
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "table";
            if (Enum.TryParse<OutputFormat>(text, ignoreCase: true, out var format) && Enum.IsDefined(format) && !char.IsAsciiDigit(text[0])) return format;
            result.AddError($"--format '{text}' is not a format: use table, csv or json.");
            return OutputFormat.Table;
        },
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
        catch (Tributary.Engine.Runs.RunStoreTooNewException e)
        {
            // Another install's newer trib migrated the store: the fix is an upgrade here, not a bug report.
            error.WriteLine($"error: {e.Message}.");
            return ExitCodes.UserError;
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // 'trib serve' on a port another program (or another trib serve) holds: the user's choice, not a crash.
            error.WriteLine($"error: {e.Message.TrimEnd('.')}: another program listens there. Choose another port with --port PORT (--port 0 picks a free one).");
            return ExitCodes.UserError;
        }
        catch (Tributary.Engine.Runs.RunStoreUnavailableException e)
        {
            // A database outage longer than the store rides out: the operator's to fix, not a crash to report.
            error.WriteLine($"error: {e.Message}. Check that the database is running; the run is marked failed when the store answers again.");
            return ExitCodes.RunFailed;
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

    public ProjectSession Open(ParseResult parse, bool settingsRequired = true) => ProjectSession.Open(parse.GetValue(Project)!, time, settingsRequired, error);
}
