using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Tributary.Components.Exports;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Activation;

/// <summary>Parameters of <c>activate.customer_feed</c>.</summary>
public sealed record CustomerFeedParameters : IValidatableObject
{
    /// <summary>Target file.</summary>
    [Description("File to write, relative to the project; replaced atomically on each run, e.g. out/feeds/recommendations.json. Never tributary.yaml, the pipelines folder or .tributary/ (TRIB0111).")]
    [OutputPath]
    public required string Path { get; init; }

    /// <summary>Unix permissions of the file.</summary>
    [Description(FileExport.FileModeDescription)]
    [AllowedValues("600", "640", "660", "644", "664")]
    public string FileMode { get; init; } = "600";

    /// <summary>Output format.</summary>
    [Description("csv: one row per input row with a header; json: one object per customer with its rows in an items array. Default csv.")]
    public CustomerFeedFormat Format { get; init; } = CustomerFeedFormat.Csv;

    /// <summary>The customer column.</summary>
    [Description("Column that identifies the customer; the feed is grouped by it. Default customer_id.")]
    public string CustomerColumn { get; init; } = "customer_id";

    /// <summary>The order within a customer.</summary>
    [Description("Column ordering a customer's rows (e.g. rank, 1 first). Default rank.")]
    public string OrderColumn { get; init; } = "rank";

    /// <summary>Columns said once per customer.</summary>
    [Description("Columns that belong to the customer, not to an item (e.g. [email, first_name]); in json they sit beside items, in csv they repeat on each row.")]
    public IReadOnlyList<string> CustomerFields { get; init; } = [];

    /// <summary>Who may be sent, by marketing consent.</summary>
    [Description(MarketingConsent.RuleDescription)]
    public ConsentRule Consent { get; init; } = ConsentRule.Required;

    /// <summary>The consent column.</summary>
    [Description(MarketingConsent.ColumnDescription)]
    public string ConsentColumn { get; init; } = MarketingConsent.DefaultColumn;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CustomerFields.Contains(CustomerColumn, StringComparer.OrdinalIgnoreCase))
            yield return new ValidationResult($"customer_fields need not name customer_column ('{CustomerColumn}'): it is always kept.", [nameof(CustomerFields)]);
        if (CustomerFields.Contains(OrderColumn, StringComparer.OrdinalIgnoreCase))
            yield return new ValidationResult($"customer_fields must not name order_column ('{OrderColumn}'): it belongs to each item.", [nameof(CustomerFields)]);
    }
}

/// <summary>Feed formats.</summary>
public enum CustomerFeedFormat
{
    /// <summary>One row per customer and item, ordered by customer and order column.</summary>
    Csv,
    /// <summary>A JSON array of customers, each with its fields and an items array in order.</summary>
    Json,
}

/// <summary>
/// A per-customer feed for email and web tools (e.g. each customer's recommendations with product name, URL, image and
/// price): CSV rows, or JSON with one object per customer holding its items in order. Written to a temporary file and
/// renamed, so a tool never reads half a feed.
/// </summary>
public sealed class CustomerFeed : IComponent<CustomerFeedParameters>
{
    /// <inheritdoc />
    public static string TypeName => "activate.customer_feed";
    /// <inheritdoc />
    public static string Description => "Write a per-customer feed (e.g. recommendations for email tools) as CSV rows or JSON with one object per customer.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(CustomerFeedParameters p, PlanContext context) =>
        ComponentPlan.Unknown with
        {
            HasTable = false,
            Requires = [new(0, p.CustomerColumn, []), new(0, p.OrderColumn, []), .. p.CustomerFields.Select(f => new ColumnRequirement(0, f, [])),
                .. MarketingConsent.Requirement(p.Consent, p.ConsentColumn)],
        };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(CustomerFeedParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var d = w.Dialect;
        var table = d.Quote(context.Inputs[0]);
        var excluded = await MarketingConsent.ExcludeAsync(context, p.Consent, p.ConsentColumn, cancellationToken).ConfigureAwait(false);
        var consented = MarketingConsent.Where(p.Consent, p.ConsentColumn, d);
        var schema = await w.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"input table '{context.Inputs[0]}' does not exist.");
        // Text in byte order: the same feed from DuckDB and from a PostgreSQL database that sorts by en_US rules.
        string Key(string column) => d.OrderKey(d.Quote(column), schema.Find(column)?.Kind ?? DataKind.Other);
        var ordered = $"SELECT * FROM {table}{consented} ORDER BY {Key(p.CustomerColumn)}, {Key(p.OrderColumn)}";
        string target;
        long rows, customers;
        if (p.Format == CustomerFeedFormat.Csv)
        {
            target = await FileExport.WriteQueryAsync(context, ordered, null, p.Path, FileFormat.Csv, FileExport.Mode(p.FileMode), cancellationToken).ConfigureAwait(false);
            rows = Convert.ToInt64(await w.ScalarAsync($"SELECT count(*) FROM {table}{consented}", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            customers = Convert.ToInt64(await w.ScalarAsync($"SELECT count(DISTINCT {d.Quote(p.CustomerColumn)}) FROM {table}{consented}", null, cancellationToken).ConfigureAwait(false),
                CultureInfo.InvariantCulture);
        }
        else
        {
            target = context.ResolveOutputPath(p.Path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            var temp = target + ".tmp-" + context.RunId;
            try
            {
                FileExport.CreateEmpty(temp, FileExport.Mode(p.FileMode));
                (rows, customers) = await WriteJsonAsync(w.StreamAsync(ordered, null, cancellationToken), schema, p, temp, cancellationToken).ConfigureAwait(false);
                FileExport.SetMode(temp, FileExport.Mode(p.FileMode));
                File.Move(temp, target, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
        context.Log($"wrote {rows} rows for {customers} customers to {System.IO.Path.GetRelativePath(context.ProjectDirectory, target)}");
        return new Materialization(rows, new Dictionary<string, object?>
        {
            ["path"] = target, ["format"] = p.Format.ToString(), ["customers"] = customers, ["bytes"] = new FileInfo(target).Length, ["excluded_no_consent"] = excluded,
            ["rows_in"] = rows + excluded,
        });
    }

    private static async Task<(long Rows, long Customers)> WriteJsonAsync(IAsyncEnumerable<object?[]> source, TableSchema schema, CustomerFeedParameters p, string path,
        CancellationToken cancellationToken)
    {
        var names = schema.Columns.Select(c => c.Name).ToArray();
        var customer = Array.FindIndex(names, n => string.Equals(n, p.CustomerColumn, StringComparison.OrdinalIgnoreCase));
        var own = names.Select((n, i) => (n, i)).Where(x => x.i == customer || p.CustomerFields.Contains(x.n, StringComparer.OrdinalIgnoreCase)).Select(x => x.i).ToArray();
        var item = Enumerable.Range(0, names.Length).Except(own).ToArray();
        await using var file = new FileStream(path, FileMode.Truncate, FileAccess.Write);
        await using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = false });
        json.WriteStartArray();
        long rows = 0, customers = 0;
        object? current = null;
        await foreach (var row in source.ConfigureAwait(false))
        {
            if (customers == 0 || !Equals(row[customer], current))
            {
                if (customers > 0)
                {
                    json.WriteEndArray();
                    json.WriteEndObject();
                    // One customer at a time to the file, so a large feed never sits in memory.
                    if (json.BytesPending > 1 << 16) await json.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                current = row[customer];
                customers++;
                json.WriteStartObject();
                foreach (var i in own) Write(json, names[i], row[i]);
                json.WriteStartArray("items");
            }
            json.WriteStartObject();
            foreach (var i in item) Write(json, names[i], row[i]);
            json.WriteEndObject();
            rows++;
        }
        if (customers > 0)
        {
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        return (rows, customers);
    }

    // Numbers stay numbers and text stays text, so an email tool reads price as a number; dates in ISO 8601.
    private static void Write(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null or DBNull: json.WriteNull(name); break;
            case bool b: json.WriteBoolean(name, b); break;
            case int or long or short or byte or sbyte or ushort or uint or ulong: json.WriteNumber(name, Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case decimal m: json.WriteNumber(name, m); break;
            case double x when double.IsFinite(x): json.WriteNumber(name, x); break;
            case float f when float.IsFinite(f): json.WriteNumber(name, f); break;
            case double or float: json.WriteNull(name); break;
            case DateTime t: json.WriteString(name, t.ToString("O", CultureInfo.InvariantCulture)); break;
            case DateTimeOffset t: json.WriteString(name, t.ToString("O", CultureInfo.InvariantCulture)); break;
            case DateOnly t: json.WriteString(name, t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            default: json.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }
}
