using System.Globalization;
using Tributary.Analytics.Recommendations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Recommendations;

/// <summary>Where a table of events keeps who, what, when, how many and which kind of event.</summary>
internal sealed record EventColumns(string Customer, string Item, string Date, string? Quantity, string? EventType);

/// <summary>Events of one customer with one item on one day, of one kind.</summary>
internal readonly record struct DailyEvent(string Customer, string Item, string? EventType, DateOnly Day, double Quantity);

/// <summary>
/// Reads events summed per customer, item, kind and day with one pushed-down query (keyed by customer, so it distributes),
/// and turns them into implicit-feedback weights in C#: Σ weight(kind) · quantity · 2^(−age/half-life).
/// </summary>
internal static class InteractionEvents
{
    // With an identity graph (identifier_type, identifier_value, profile_id) and the identifier type the customer column holds,
    // customers become profiles, and events of an identifier the graph does not know are left out.
    public static async Task<List<DailyEvent>> ReadAsync(ComponentContext context, string table, EventColumns columns, (string Graph, string Type)? identity,
        CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var q = new SqlBuilder(d);
        var (c, i, t) = (d.Quote(columns.Customer), d.Quote(columns.Item), d.Quote(columns.Date));
        var from = d.Quote(table);
        if (identity is { } g)
        {
            from = $"""
                (SELECT s.*, p.profile_id AS "__profile" FROM {d.Quote(table)} s
                 JOIN {d.Quote(g.Graph)} p ON p.identifier_type = {q.Bind(g.Type, DataKind.Text)} AND p.identifier_value = CAST(s.{c} AS VARCHAR)) x
                """;
            c = d.Quote("__profile");
        }
        var quantity = columns.Quantity is null ? "1" : $"coalesce(CAST({d.Quote(columns.Quantity)} AS DOUBLE PRECISION), 1)";
        // An event's day is the reporting zone's calendar day.
        var day = q.Cast(await ReportingZone.LocalAsync(context, q, table, columns.Date, cancellationToken).ConfigureAwait(false), DataKind.Date);
        var type = columns.EventType is null ? "CAST(NULL AS VARCHAR)" : $"CAST({d.Quote(columns.EventType)} AS VARCHAR)";
        var sql = $"""
            SELECT CAST({c} AS VARCHAR), CAST({i} AS VARCHAR), {type}, {day}, sum({quantity})
            FROM {from}
            WHERE {c} IS NOT NULL AND {i} IS NOT NULL AND {t} IS NOT NULL
            GROUP BY 1, 2, 3, 4
            ORDER BY {d.ByteOrder($"CAST({c} AS VARCHAR)")}, {d.ByteOrder($"CAST({i} AS VARCHAR)")}, 4
            """;
        var list = new List<DailyEvent>();
        await foreach (var row in context.Warehouse.StreamAsync(sql, q.Parameters, cancellationToken).ConfigureAwait(false))
            list.Add(new DailyEvent((string)row[0]!, (string)row[1]!, (string?)row[2], (DateOnly)row[3]!, Convert.ToDouble(row[4], CultureInfo.InvariantCulture)));
        return list;
    }

    /// <summary>The weight of one day's events: its kind's weight (1 without weights; 0 for a kind not listed) times quantity, decayed to <paramref name="asOf"/>.</summary>
    public static double Weight(in DailyEvent e, IReadOnlyDictionary<string, double> weights, double halfLifeDays, DateOnly asOf)
    {
        var kind = weights.Count == 0 ? 1 : e.EventType is { } type && weights.TryGetValue(type, out var w) ? w : 0;
        var age = Math.Max(0, asOf.DayNumber - e.Day.DayNumber);
        return kind * Math.Max(0, e.Quantity) * (halfLifeDays > 0 ? Math.Pow(2, -age / halfLifeDays) : 1);
    }
}

/// <summary>Customers and items by index, and the customers × items matrix of weights.</summary>
internal sealed record InteractionData(string[] Customers, string[] Items, InteractionMatrix Matrix)
{
    /// <summary>Indexes customers and items in ordinal order of their ids, so that a run does not depend on row order.</summary>
    public static InteractionData From(IEnumerable<(string Customer, string Item, double Weight)> rows)
    {
        var list = rows.Where(r => r.Weight > 0).ToList();
        var customers = list.Select(r => r.Customer).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var items = list.Select(r => r.Item).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var customerIndex = Index(customers);
        var itemIndex = Index(items);
        var matrix = InteractionMatrix.FromTriplets(customers.Length, items.Length, list.Select(r => customerIndex[r.Customer]).ToArray(),
            list.Select(r => itemIndex[r.Item]).ToArray(), list.Select(r => r.Weight).ToArray());
        return new InteractionData(customers, items, matrix);
    }

    public static Dictionary<string, int> Index(string[] ids)
    {
        var index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++) index[ids[i]] = i;
        return index;
    }

    /// <summary>Reads an interactions table (customer, item, weight), as <c>recs.interactions</c> writes it.</summary>
    public static async Task<InteractionData> ReadAsync(ComponentContext context, string table, string customerColumn, string itemColumn, string weightColumn,
        CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var sql = $"""
            SELECT CAST({d.Quote(customerColumn)} AS VARCHAR), CAST({d.Quote(itemColumn)} AS VARCHAR), CAST({d.Quote(weightColumn)} AS DOUBLE PRECISION)
            FROM {d.Quote(table)} WHERE {d.Quote(customerColumn)} IS NOT NULL AND {d.Quote(itemColumn)} IS NOT NULL
            """;
        var rows = new List<(string, string, double)>();
        await foreach (var row in context.Warehouse.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
            rows.Add(((string)row[0]!, (string)row[1]!, row[2] is null ? 0 : Convert.ToDouble(row[2], CultureInfo.InvariantCulture)));
        return From(rows);
    }

    /// <summary>Distinct customers per item over all customers.</summary>
    public double[] Popularity()
    {
        var counts = Matrix.ColumnCounts();
        return counts.Select(c => Customers.Length == 0 ? 0 : (double)c / Customers.Length).ToArray();
    }
}
