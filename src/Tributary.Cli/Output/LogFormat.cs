namespace Tributary.Cli.Output;

/// <summary>How <c>trib serve</c> and <c>trib backfill</c> write their log.</summary>
internal enum LogFormat
{
    /// <summary>A local time and the message, one line each, as every trib command writes.</summary>
    Text,
    /// <summary>One JSON object a line: time, level, category, message, its named values and the exception.</summary>
    Json,
}
