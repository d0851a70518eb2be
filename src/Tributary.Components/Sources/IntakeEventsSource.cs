using System.Globalization;
using System.ComponentModel;
using Tributary.Components.Standardize;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources;

/// <summary>Parameters of <c>source.intake</c>.</summary>
public sealed record IntakeEventsParameters
{
    /// <summary>The warehouse table the intake loader appends to.</summary>
    [Description("Warehouse table that trib serve's event intake (/v1/track, /v1/batch, ...) appends to: intake.table in tributary.yaml, default events. "
        + "No component of the pipeline may be named like it, or its run would replace the live events.")]
    public string Table { get; init; } = "events";

    /// <summary>Only events first received at or after this UTC time (yyyy-MM-dd HH:mm:ss); empty for no lower bound.</summary>
    [Description("Only events first received at or after this UTC time, yyyy-MM-dd HH:mm:ss (a partitioned group passes ${partition.start}); empty: from the first.")]
    public string ReceivedFrom { get; init; } = "";

    /// <summary>Only events first received before this UTC time (yyyy-MM-dd HH:mm:ss); empty for no upper bound.</summary>
    [Description("Only events first received before this UTC time, yyyy-MM-dd HH:mm:ss (a partitioned group passes ${partition.end}); empty: up to the last.")]
    public string ReceivedBefore { get; init; } = "";
}

/// <summary>
/// A snapshot of the live events <c>trib serve</c> took in, in the canonical events columns, one row per event id;
/// an empty table while nothing has arrived (the intake table does not exist until the first event is loaded).
/// </summary>
public sealed class IntakeEventsSource : IComponent<IntakeEventsParameters>
{
    /// <inheritdoc />
    public static string TypeName => "source.intake";
    /// <inheritdoc />
    public static string Description => "Snapshot of the events trib serve's Segment-compatible intake loaded into the warehouse (empty until the first event).";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.None;

    /// <inheritdoc />
    public ComponentPlan Plan(IntakeEventsParameters parameters, PlanContext context)
    {
        Bound(parameters.ReceivedFrom, "received_from");
        Bound(parameters.ReceivedBefore, "received_before");
        return string.IsNullOrWhiteSpace(parameters.Table)
            ? throw new PlanException("table must name the intake's warehouse table (intake.table in tributary.yaml; default events).")
            : parameters.Table == context.Asset
                ? throw new PlanException($"the asset may not be named like the intake table '{parameters.Table}': its run would replace the live events. Give the component another id.")
                : new ComponentPlan(new TableSchema(EventsStandardizer.Columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList()), []);
    }

    private static DateTime? Bound(string value, string name) =>
        string.IsNullOrWhiteSpace(value) ? null
        : DateTime.TryParseExact(value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at
        : throw new PlanException($"{name} must be a UTC time as yyyy-MM-dd HH:mm:ss (or empty), got '{value}'.");

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(IntakeEventsParameters parameters, ComponentContext context, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var columns = EventsStandardizer.Columns;
        if (await context.Warehouse.DescribeTableAsync(parameters.Table, cancellationToken).ConfigureAwait(false) is null)
        {
            var empty = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(columns, [], ct), cancellationToken).ConfigureAwait(false);
            return new Materialization(empty, new Dictionary<string, object?> { ["intake_table"] = "absent" });
        }
        var list = string.Join(", ", columns.Select(c => d.Quote(c.Name)));
        // The loader drops a messageId seen within dedup_hours; one older than that, sent again, is dropped here. An event
        // belongs to the window of its first copy, so that consecutive windows never load it twice.
        var window = new List<object?>();
        var bounds = new List<string>();
        if (Bound(parameters.ReceivedFrom, "received_from") is { } from)
        {
            window.Add(from);
            bounds.Add($" AND {d.Quote("received_at")} >= {d.Parameter(window.Count)}");
        }
        if (Bound(parameters.ReceivedBefore, "received_before") is { } before)
        {
            window.Add(before);
            bounds.Add($" AND {d.Quote("received_at")} < {d.Parameter(window.Count)}");
        }
        var sql = $"""
            SELECT {list} FROM (
                SELECT {list}, row_number() OVER (PARTITION BY {d.Quote("event_id")} ORDER BY {d.Quote("received_at")}) AS intake_copy
                FROM {d.Quote(parameters.Table)}) AS e
            WHERE intake_copy = 1{string.Concat(bounds)}
            """;
        var rows = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, window, ct), cancellationToken).ConfigureAwait(false);
        return Materialization.Of(rows);
    }
}
