using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Activation;

/// <summary>Parameters of <c>activate.table</c>.</summary>
public sealed partial record TableSyncParameters : IValidatableObject
{
    /// <summary>Target table.</summary>
    [Description("Warehouse table to sync into (created when missing); e.g. crm_high_value_customers.")]
    public required string Target { get; init; }

    /// <summary>Sync mode.</summary>
    [Description("replace: target becomes the input. append: input rows are added. upsert: rows matched by key are updated, others added. mirror: like replace, and removed members are logged by key. Default mirror.")]
    public TableSyncMode Mode { get; init; } = TableSyncMode.Mirror;

    /// <summary>Key columns.</summary>
    [Description("Columns identifying a member (e.g. customer_id). Required for upsert and mirror; without it replace and append log whole rows.")]
    public IReadOnlyList<string>? Key { get; init; }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex TableName();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TableName().IsMatch(Target) || Target.Contains(OutputTables.Separator, StringComparison.Ordinal))
            yield return new ValidationResult($"target '{Target}' must be a table name of a-z, 0-9 and _ (not starting with a digit, no '__').", [nameof(Target)]);
        if (Mode is TableSyncMode.Upsert or TableSyncMode.Mirror && Key is not { Count: > 0 })
            yield return new ValidationResult($"mode {Mode.ToString().ToLowerInvariant()} needs key: the columns that identify a member.", [nameof(Key)]);
    }
}

/// <summary>How <c>activate.table</c> writes the target.</summary>
public enum TableSyncMode
{
    /// <summary>Target becomes the input.</summary>
    Replace,
    /// <summary>Input rows are appended.</summary>
    Append,
    /// <summary>Matched rows updated, new rows added, others kept.</summary>
    Upsert,
    /// <summary>Target becomes the input, with added, updated and removed members logged.</summary>
    Mirror,
}

/// <summary>
/// Reverse-ETL into a warehouse table. The asset holds this sync's changes against the target as it was
/// (change = added, updated or removed, with the key columns); the target is then rewritten atomically.
/// </summary>
public sealed class TableSync : IComponent<TableSyncParameters>
{
    /// <inheritdoc />
    public static string TypeName => "activate.table";
    /// <inheritdoc />
    public static string Description => "Sync the input into a warehouse table (replace, append, upsert or mirror) and log the members added and removed.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(TableSyncParameters p, PlanContext context)
    {
        // The asset is this sync's change log; the target is a different table the component owns.
        if (p.Target == context.Asset || p.Target.StartsWith(context.Asset + OutputTables.Separator, StringComparison.Ordinal))
            throw new PlanException($"target '{p.Target}' would overwrite this component's own change log '{context.Asset}'; give the component another id (e.g. {p.Target}_sync) or the target another name.");
        if (context.Inputs.Any(i => i.Id == p.Target))
            throw new PlanException($"target '{p.Target}' is this component's input; sync into another table.");
        // The change log holds 'change' and the key columns (every input column without a key).
        var input = context.Inputs[0].Schema;
        var key = p.Key is { Count: > 0 } ? p.Key.Select(k => input?.Find(k) is { } c ? c with { Name = k } : null).ToList() : input?.Columns.ToList<ColumnSchema?>();
        var output = key is null || key.Contains(null) ? null : new TableSchema([new ColumnSchema("change", "VARCHAR", DataKind.Text), .. key.Select(c => c!)]);
        return new(output, (p.Key ?? []).Select(k => new ColumnRequirement(0, k, [])).ToList()) { Writes = [p.Target] };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(TableSyncParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var d = w.Dialect;
        var inputSchema = await w.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"input table '{context.Inputs[0]}' does not exist.");
        var targetSchema = await w.DescribeTableAsync(p.Target, cancellationToken).ConfigureAwait(false);
        var columns = inputSchema.Columns.Select(c => c.Name).ToList();
        if (targetSchema is not null && p.Mode is TableSyncMode.Append or TableSyncMode.Upsert)
        {
            var missing = columns.Where(c => targetSchema.Find(c) is null).ToList();
            if (missing.Count > 0)
                throw new InputDataException($"target '{p.Target}' lacks column(s) {string.Join(", ", missing)} of the input; use mode replace or mirror to change its shape.");
        }
        var key = p.Key is { Count: > 0 } ? p.Key : columns;
        var (input, target) = (d.Quote(context.Inputs[0]), d.Quote(p.Target));
        var list = string.Join(", ", columns.Select(d.Quote));
        var keyList = string.Join(", ", key.Select(k => "x." + d.Quote(k)));
        string Match(string a, string b) => string.Join(" AND ", key.Select(k => $"{a}.{d.Quote(k)} = {b}.{d.Quote(k)}"));

        // Changes against the target as it is now.
        string changes;
        if (targetSchema is null)
            changes = $"SELECT CAST('added' AS VARCHAR) AS change, {keyList} FROM {input} AS x";
        else
        {
            var parts = new List<string> { $"SELECT CAST('added' AS VARCHAR) AS change, {keyList} FROM {input} AS x WHERE NOT EXISTS (SELECT 1 FROM {target} AS t WHERE {Match("t", "x")})" };
            var valueColumns = columns.Where(c => !key.Contains(c) && targetSchema.Find(c) is not null).ToList();
            if (p.Mode != TableSyncMode.Append && p.Key is { Count: > 0 } && valueColumns.Count > 0)
                parts.Add($"SELECT CAST('updated' AS VARCHAR), {keyList} FROM {input} AS x WHERE EXISTS (SELECT 1 FROM {target} AS t WHERE {Match("t", "x")} AND ({string.Join(" OR ", valueColumns.Select(c => $"t.{d.Quote(c)} IS DISTINCT FROM x.{d.Quote(c)}"))}))");
            if (p.Mode is TableSyncMode.Replace or TableSyncMode.Mirror)
                parts.Add($"SELECT CAST('removed' AS VARCHAR), {keyList} FROM {target} AS x WHERE NOT EXISTS (SELECT 1 FROM {input} AS i WHERE {Match("i", "x")})");
            changes = string.Join(" UNION ALL ", parts);
        }
        var changed = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(changes, null, ct), cancellationToken).ConfigureAwait(false);

        var content = targetSchema is null || p.Mode is TableSyncMode.Replace or TableSyncMode.Mirror
            ? $"SELECT {list} FROM {input}"
            : p.Mode == TableSyncMode.Append
                ? $"SELECT {list} FROM {target} UNION ALL SELECT {list} FROM {input}"
                : $"SELECT {list} FROM {target} AS t WHERE NOT EXISTS (SELECT 1 FROM {input} AS x WHERE {Match("x", "t")}) UNION ALL SELECT {list} FROM {input}";
        var total = await w.ReplaceTableAsync(p.Target, (b, ct) => b.CreateAsSelectAsync(content, null, ct), cancellationToken).ConfigureAwait(false);

        var counts = (await w.QueryAsync($"SELECT change, count(*) FROM {d.Quote(context.Asset)} GROUP BY change", null, 10, cancellationToken).ConfigureAwait(false))
            .Rows.ToDictionary(r => (string)r[0]!, r => Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture));
        context.Log($"{p.Target}: {total} rows; added {counts.GetValueOrDefault("added")}, updated {counts.GetValueOrDefault("updated")}, removed {counts.GetValueOrDefault("removed")}");
        return new Materialization(changed, new Dictionary<string, object?>
        {
            ["target"] = p.Target, ["target_rows"] = total, ["added"] = counts.GetValueOrDefault("added"),
            ["updated"] = counts.GetValueOrDefault("updated"), ["removed"] = counts.GetValueOrDefault("removed"),
        });
    }
}
