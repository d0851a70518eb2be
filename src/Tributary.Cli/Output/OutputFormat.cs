namespace Tributary.Cli.Output;

/// <summary>How listing commands print data.</summary>
internal enum OutputFormat
{
    Table,
    Csv,
    Json,
}
