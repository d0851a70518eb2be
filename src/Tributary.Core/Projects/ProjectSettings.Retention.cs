using System.Globalization;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Core.Yaml;

namespace Tributary.Core.Projects;

public sealed partial record ProjectSettings
{
    /// <summary>How long the run store keeps runs and ticks (<c>retention:</c>).</summary>
    public RetentionSettings Retention { get; init; } = new();

    private static RetentionSettings ReadRetention(NodeReader reader, YamlMapping retention)
    {
        reader.CheckKeys(retention, "'retention'", ["runs", "ticks", "skipped_ticks"]);
        var d = new RetentionSettings();
        return new RetentionSettings
        {
            Runs = Duration(reader, retention, "runs", d.Runs),
            Ticks = Duration(reader, retention, "ticks", d.Ticks),
            SkippedTicks = Duration(reader, retention, "skipped_ticks", d.SkippedTicks),
        };
    }

    /// <summary>
    /// A retention as tributary.yaml writes it: <c>90d</c>, <c>12h</c> or <c>forever</c>; null for forever, and for a mistake
    /// (reported at its line).
    /// </summary>
    public static TimeSpan? ParseRetention(string value, out string? error)
    {
        error = null;
        var s = value.Trim();
        if (s.Equals("forever", StringComparison.OrdinalIgnoreCase)) return null;
        if (s.Length >= 2 && (s[^1] is 'd' or 'h') && int.TryParse(s[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            var span = s[^1] == 'd' ? TimeSpan.FromDays(n) : TimeSpan.FromHours(n);
            if (span >= RetentionSettings.Minimum) return span;
            error = $"must be at least 1h, got '{value}'.";
            return null;
        }
        error = $"must be a number of days or hours, such as 90d or 12h, or 'forever'; got '{value}'.";
        return null;
    }

    private static TimeSpan? Duration(NodeReader reader, YamlMapping mapping, string key, TimeSpan? fallback)
    {
        if (reader.Scalar(mapping, key, "'retention'") is not { } s) return fallback;
        var parsed = ParseRetention(s.Value, out var error);
        if (error is not null)
            reader.Error(error.StartsWith("must be at least", StringComparison.Ordinal) ? DiagnosticCodes.OutOfRange : DiagnosticCodes.WrongType, s.Location,
                $"'retention.{key}' in {FileName} {error}", "Write a whole number of days or hours (90d, 12h), or forever to keep everything of that kind.");
        return error is null ? parsed : fallback;
    }
}
