using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Recommendations;

/// <summary>Parameters of <c>recs.interactions</c>.</summary>
public sealed record InteractionsParameters
{
    /// <summary>Customer column.</summary>
    [Description("Input column holding the customer (or, with an identity graph as second input, an identifier of the type identifier_type). Default customer_id.")]
    public string CustomerColumn { get; init; } = "customer_id";

    /// <summary>Item column.</summary>
    [Description("Input column holding the item (product SKU). Default sku.")]
    public string ItemColumn { get; init; } = "sku";

    /// <summary>Date column.</summary>
    [Description("Input column holding the event's date or timestamp. Default ordered_at.")]
    public string DateColumn { get; init; } = "ordered_at";

    /// <summary>Quantity column.</summary>
    [Description("Input column holding a quantity to multiply the weight by (e.g. quantity of order items); unset counts each row once.")]
    public string? QuantityColumn { get; init; }

    /// <summary>Event type column.</summary>
    [Description("Input column holding the kind of event (purchase, add_to_cart, view...); with event_weights, each kind counts by its weight.")]
    public string? EventTypeColumn { get; init; }

    /// <summary>Weights per event type.</summary>
    [Description("Weight of each event kind, e.g. {purchase: 1, add_to_cart: 0.3, view: 0.05}; kinds not listed are left out. Empty: every row weighs 1.")]
    public IReadOnlyDictionary<string, double> EventWeights { get; init; } = new Dictionary<string, double>();

    /// <summary>Half-life of the time decay in days.</summary>
    [Description("Days after which an event counts half (time decay, relative to the last event date); 0 turns decay off. Default 0.")]
    [Range(0, 36500)]
    public double HalfLifeDays { get; init; }

    /// <summary>Identifier type the customer column holds when an identity graph is given.</summary>
    [Description("With an identity graph (identity.resolve) as second input: the identifier type the customer column holds (email, user_id...); customers become profile ids. Default email.")]
    public string IdentifierType { get; init; } = "email";
}

/// <summary>
/// The implicit-feedback matrix of a recommender: one row per customer and item with a weight that sums the events
/// between them (by kind, quantity and age). Reads order items, and product views or add-to-cart events when given
/// (union them upstream with an event type column), and maps identifiers to profiles through an identity graph.
/// </summary>
public sealed class Interactions : IComponent<InteractionsParameters>
{
    /// <inheritdoc />
    public static string TypeName => "recs.interactions";
    /// <inheritdoc />
    public static string Description => "Build the customer x item implicit-feedback matrix from order items and events, weighted by kind and age.";
    /// <inheritdoc />
    public static InputArity Inputs => new(1, 2);
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    internal static readonly (string, DataKind)[] Columns =
        [("customer_id", DataKind.Text), ("sku", DataKind.Text), ("weight", DataKind.Number), ("events", DataKind.Number), ("last_at", DataKind.Date)];

    /// <inheritdoc />
    public ComponentPlan Plan(InteractionsParameters p, PlanContext context)
    {
        List<ColumnRequirement> needs =
        [
            new(0, p.CustomerColumn, []), new(0, p.ItemColumn, []),
            new(0, p.DateColumn, [DataKind.Date, DataKind.Timestamp], "Set date_column to a DATE or TIMESTAMP column, or cast it upstream."),
        ];
        if (p.QuantityColumn is { } quantity) needs.Add(new(0, quantity, [DataKind.Integer, DataKind.Number], "Set quantity_column to a numeric column."));
        if (p.EventTypeColumn is { } type) needs.Add(new(0, type, []));
        if (p.EventWeights.Count > 0 && p.EventTypeColumn is null)
            throw new PlanException("event_weights needs event_type_column: the column that says which kind each event is.");
        if (p.EventWeights.FirstOrDefault(w => w.Value < 0 || !double.IsFinite(w.Value)) is { Key: not null } bad)
            throw new PlanException($"event_weights.{bad.Key} must be 0 or more, got {bad.Value}.");
        if (context.Inputs.Count == 2)
            needs.AddRange(Standardize.Schema.Needs(1, "identifier_type", "identifier_value", "profile_id"));
        return new ComponentPlan(Standardize.Schema.Of(Columns), needs)
        {
            MainDescription = "A customer and an item they interacted with: summed event weight, events and the last day.",
        };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(InteractionsParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var columns = new EventColumns(p.CustomerColumn, p.ItemColumn, p.DateColumn, p.QuantityColumn, p.EventTypeColumn);
        (string, string)? identity = context.Inputs.Count == 2 ? (context.Inputs[1], p.IdentifierType) : null;
        var events = await InteractionEvents.ReadAsync(context, context.Inputs[0], columns, identity, cancellationToken).ConfigureAwait(false);
        var asOf = events.Count == 0 ? default : events.Max(e => e.Day);
        var rows = events.GroupBy(e => (e.Customer, e.Item))
            .Select(g => new object?[]
            {
                g.Key.Customer, g.Key.Item, g.Sum(e => InteractionEvents.Weight(e, p.EventWeights, p.HalfLifeDays, asOf)), g.Sum(e => e.Quantity), g.Max(e => e.Day),
            })
            .Where(r => (double)r[2]! > 0)
            .ToList();
        context.Log($"{rows.Count:N0} customer-item pairs from {events.Count:N0} event days");
        var written = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct), cancellationToken).ConfigureAwait(false);
        return new Materialization(written, new Dictionary<string, object?>
        {
            ["customers"] = rows.Select(r => r[0]).Distinct().Count(), ["items"] = rows.Select(r => r[1]).Distinct().Count(),
            ["as_of"] = asOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        });
    }
}
