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
    public ComponentPlan Plan(IntakeEventsParameters parameters, PlanContext context) =>
        string.IsNullOrWhiteSpace(parameters.Table)
            ? throw new PlanException("table must name the intake's warehouse table (intake.table in tributary.yaml; default events).")
            : parameters.Table == context.Asset
                ? throw new PlanException($"the asset may not be named like the intake table '{parameters.Table}': its run would replace the live events. Give the component another id.")
                : new ComponentPlan(new TableSchema(EventsStandardizer.Columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList()), []);

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
        // The loader drops a messageId seen within dedup_hours; one older than that, sent again, is dropped here.
        var sql = $"""
            SELECT {list} FROM (
                SELECT {list}, row_number() OVER (PARTITION BY {d.Quote("event_id")} ORDER BY {d.Quote("received_at")}) AS intake_copy
                FROM {d.Quote(parameters.Table)}) AS e
            WHERE intake_copy = 1
            """;
        var rows = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false);
        return Materialization.Of(rows);
    }
}
