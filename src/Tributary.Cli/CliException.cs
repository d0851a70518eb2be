namespace Tributary.Cli;

/// <summary>A user mistake the CLI reports in one line with exit code 1, never with a stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);
