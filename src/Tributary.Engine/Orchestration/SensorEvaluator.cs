using System.Globalization;
using System.Text.Json;
using Tributary.Core.Components;
using Tributary.Core.Pipelines;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Orchestration;

/// <summary>What one sensor evaluation decided: request a run, raise an alert, or nothing; why; and the new cursor.</summary>
public sealed record SensorOutcome(bool RequestRun, bool Alert, string Reason, string? Cursor);

/// <summary>Decides, from a sensor's cursor, whether it fires.</summary>
public interface ISensorEvaluator
{
    /// <summary>Evaluates <paramref name="sensor"/> at <paramref name="now"/> from <paramref name="cursor"/>.</summary>
    Task<SensorOutcome> EvaluateAsync(SensorSpec sensor, string? cursor, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// Evaluates the four sensor types against a cursor: <c>file_arrival</c> (files in a folder matching a pattern that the
/// cursor has not seen), <c>table_rows</c> (a warehouse table's cursor column past the cursor), <c>run_status</c>
/// (another pipeline's runs, or with <c>group</c> the runs of one of its groups, that ended with a status since the cursor), and <c>freshness</c> (an asset whose last
/// materialization is older than <c>max_age</c>: an alert, or a run when <c>action: trigger</c>; once per stale version).
/// </summary>
public sealed class SensorEvaluator(IWarehouse warehouse, IRunStore runs, string projectDirectory, IReadOnlyList<string>? allowedPaths = null) : ISensorEvaluator
{
    /// <summary>Evaluates <paramref name="sensor"/> at <paramref name="now"/> from <paramref name="cursor"/>.</summary>
    public Task<SensorOutcome> EvaluateAsync(SensorSpec sensor, string? cursor, DateTimeOffset now, CancellationToken cancellationToken) => sensor.Type switch
    {
        "file_arrival" => Task.FromResult(Files(sensor, cursor)),
        "table_rows" => TableRowsAsync(sensor, cursor, cancellationToken),
        "run_status" => RunStatusAsync(sensor, cursor, cancellationToken),
        "freshness" => FreshnessAsync(sensor, cursor, now, cancellationToken),
        _ => throw new InvalidOperationException($"unknown sensor type '{sensor.Type}'."),
    };

    private SensorOutcome Files(SensorSpec sensor, string? cursor)
    {
        string folder;
        try
        {
            folder = new ProjectPaths(projectDirectory, allowedPaths).Resolve(sensor.Settings["path"]);
        }
        catch (UnauthorizedAccessException e)
        {
            return new SensorOutcome(false, false, e.Message, cursor);
        }
        if (!Directory.Exists(folder)) return new SensorOutcome(false, false, $"folder {folder} does not exist", cursor);
        var seen = cursor is null ? [] : JsonSerializer.Deserialize<HashSet<string>>(cursor)!;
        // A file counts as new when its name, size or modification time is new: a re-delivered export triggers again.
        var files = Directory.EnumerateFiles(folder, sensor.Settings.GetValueOrDefault("pattern", "*"))
            .Select(f => new FileInfo(f)).Select(f => (f.Name, Key: $"{f.Name}|{f.Length}|{f.LastWriteTimeUtc.Ticks}")).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        var fresh = files.Where(f => !seen.Contains(f.Key)).ToList();
        if (fresh.Count == 0) return new SensorOutcome(false, false, "no new files", cursor);
        var next = JsonSerializer.Serialize(files.Select(f => f.Key).ToHashSet());
        var names = string.Join(", ", fresh.Take(5).Select(f => f.Name)) + (fresh.Count > 5 ? $" and {fresh.Count - 5} more" : "");
        return new SensorOutcome(true, false, $"{fresh.Count} new file(s): {names}", next);
    }

    private async Task<SensorOutcome> TableRowsAsync(SensorSpec sensor, string? cursor, CancellationToken cancellationToken)
    {
        var table = sensor.Settings["table"];
        var column = sensor.Settings["cursor_column"];
        if (await warehouse.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false) is null)
            return new SensorOutcome(false, false, $"table {table} does not exist yet", cursor);
        var max = await warehouse.ScalarAsync($"SELECT max({warehouse.Dialect.Quote(column)}) FROM {warehouse.Dialect.Quote(table)}", null, cancellationToken).ConfigureAwait(false);
        if (max is null or DBNull) return new SensorOutcome(false, false, $"{table} has no rows", cursor);
        var text = CursorText(max);
        if (cursor is not null && Compare(max, cursor) <= 0) return new SensorOutcome(false, false, $"no rows past {column} = {cursor}", cursor);
        return new SensorOutcome(true, false, cursor is null ? $"{table} has rows up to {column} = {text}" : $"new rows in {table}: {column} {cursor} -> {text}", text);
    }

    // Round-trip text: the culture's default cut timestamps to the second, so a column holding fractions of a second
    // always stood past its own cursor and every evaluation requested a run.
    private static string CursorText(object value) => value switch
    {
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    // The cursor was written from a value of the same column, so it parses back as that type.
    private static int Compare(object value, string cursor) => value switch
    {
        DateTime d => d.CompareTo(DateTime.Parse(cursor, CultureInfo.InvariantCulture)),
        DateTimeOffset d => d.CompareTo(DateTimeOffset.Parse(cursor, CultureInfo.InvariantCulture)),
        DateOnly d => d.CompareTo(DateOnly.Parse(cursor, CultureInfo.InvariantCulture)),
        long or int or short or decimal or double or float => Convert.ToDouble(value, CultureInfo.InvariantCulture).CompareTo(double.Parse(cursor, CultureInfo.InvariantCulture)),
        _ => string.CompareOrdinal(Convert.ToString(value, CultureInfo.InvariantCulture), cursor),
    };

    private async Task<SensorOutcome> RunStatusAsync(SensorSpec sensor, string? cursor, CancellationToken cancellationToken)
    {
        var group = sensor.Settings.GetValueOrDefault("group");
        var pipeline = sensor.Settings["pipeline"];
        var wanted = sensor.Settings.GetValueOrDefault("status", "succeeded");
        var since = cursor is null ? DateTimeOffset.MinValue : DateTimeOffset.Parse(cursor, CultureInfo.InvariantCulture);
        var ended = (await runs.ListRunsAsync(50, pipeline, cancellationToken).ConfigureAwait(false))
            .Where(r => r.EndedAt is { } e && e > since && r.Status is not RunStatus.Running && (group is null || SelectsGroup(r.Selection, group)))
            .OrderBy(r => r.EndedAt).ToList();
        if (group is not null) pipeline = $"{pipeline} group {group}";
        if (ended.Count == 0) return new SensorOutcome(false, false, $"no run of {pipeline} ended since the last check", cursor);
        var next = ended[^1].EndedAt!.Value.ToString("O", CultureInfo.InvariantCulture);
        var match = ended.LastOrDefault(r => wanted == "any" || string.Equals(r.Status.ToString(), wanted, StringComparison.OrdinalIgnoreCase));
        return match is null
            ? new SensorOutcome(false, false, $"{ended.Count} run(s) of {pipeline} ended, none {wanted}", next)
            : new SensorOutcome(true, false, $"run {match.RunId} of {pipeline} {match.Status.ToString().ToLowerInvariant()}", next);
    }

    // A run of the group: one selected by group:NAME (alone, or with its up- or downstream), not a whole-pipeline run.
    private static bool SelectsGroup(string? selection, string group) =>
        selection is not null && selection.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Any(term => term.Trim('+') == AssetGraph.GroupPrefix + group);

    private async Task<SensorOutcome> FreshnessAsync(SensorSpec sensor, string? cursor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var asset = sensor.Settings["asset"];
        var maxAge = Durations.TryParse(sensor.Settings["max_age"], out var age) ? age : throw new InvalidOperationException($"max_age '{sensor.Settings["max_age"]}' is not a duration.");
        var last = (await runs.GetMaterializationsAsync(null, asset, cancellationToken).ConfigureAwait(false)).Select(m => (DateTimeOffset?)m.At).Max();
        if (last is { } at && now - at <= maxAge) return new SensorOutcome(false, false, $"{asset} is fresh (materialized {Durations.Approximate(now - at)} ago)", cursor);
        var version = last?.ToString("O", CultureInfo.InvariantCulture) ?? "never";
        if (cursor == version) return new SensorOutcome(false, false, $"{asset} is still stale; already reported", cursor);
        var reason = last is { } l ? $"{asset} was last materialized {Durations.Approximate(now - l)} ago, more than {sensor.Settings["max_age"]}" : $"{asset} has never been materialized";
        var trigger = sensor.Settings.GetValueOrDefault("action", "alert") == "trigger";
        return new SensorOutcome(trigger, !trigger, reason, version);
    }
}
