using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;
using Tributary.Engine.Runs;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>trib show ASSET</c> previews a table, <c>trib show</c> lists the tables grouped under the steps that declared them;
/// <c>trib query "SQL"</c> runs a query on the warehouse. Both read through the project's running <c>trib serve</c> when
/// there is one, since it owns the embedded warehouse.
/// </summary>
internal static class ShowCommand
{
    // Rows a table print shows at most when --limit is not given (CSV and JSON get every row).
    private const int TableRows = 1000;

    public static Command CreateShow(CliContext cli)
    {
        var asset = new Argument<string?>("asset") { Description = "Asset (table) name; without it, every table grouped under its step.", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit", "-n") { Description = "Rows to show. Default 20.", DefaultValueFactory = _ => 20 };
        var wide = new Option<bool>("--wide") { Description = "For a table with a model column (attribution): one row per channel, every model side by side in columns." };
        var measure = new Option<string?>("--measure") { Description = "With --wide: the column to spread over the models (default: the first numeric one, e.g. conversions)." };
        var includeInternal = new Option<bool>("--all") { Description = "List internal outputs too (a source's files ledger)." };
        var format = CliContext.FormatOption();
        var command = new Command("show", "Preview an asset's rows, or list the assets grouped by step.") { asset, limit, wide, measure, includeInternal, format };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            using var reader = await IWarehouseReader.OpenAsync(project, ct);
            var store = await project.StoreAsync(ct);
            var assets = AssetList.Of(await reader.ListTablesAsync(ct), await store.GetLatestMaterializationsAsync(ct), parse.GetValue(includeInternal));
            if (parse.GetValue(asset) is not { } name)
            {
                DataWriter.Write(cli.Out, parse.GetValue(format), ["step", "output", "role", "table", "rows", "materialized_at"],
                    assets.Select(e => new object?[] { e.Step ?? "", e.Output ?? "", e.Role?.ToString().ToLowerInvariant() ?? "", e.Table, e.Latest?.RowCount, e.Latest?.At }).ToList());
                return ExitCodes.Success;
            }
            if (!await reader.ExistsAsync(name, ct))
            {
                // Internal outputs (load ledgers) are the tool's bookkeeping, not assets anyone asked for.
                var tables = assets.Select(e => e.Table).ToList();
                throw new CliException($"no asset '{name}' in the warehouse.{NameSuggestion.Format(name, tables)}" +
                    (tables.Count == 0 ? " Nothing is materialized yet: run a pipeline first." : $" Assets: {string.Join(", ", tables)}."));
            }
            var n = Math.Max(0, parse.GetValue(limit));
            var table = reader.Quote(name);
            if (parse.GetValue(wide))
            {
                var all = await reader.QueryAsync($"SELECT * FROM {table}", null, ct);
                var (columns, rows, note) = Pivot(all, parse.GetValue(measure));
                DataWriter.Write(cli.Out, parse.GetValue(format), columns, rows.Take(n));
                cli.Error.WriteLine($"{note}; {Math.Min(n, rows.Count)} of {rows.Count} rows");
                return ExitCodes.Success;
            }
            var result = await reader.QueryAsync($"SELECT * FROM {table} LIMIT {n}", n, ct);
            var total = (await reader.QueryAsync($"SELECT count(*) FROM {table}", 1, ct)).Rows[0][0];
            DataWriter.Write(cli.Out, parse.GetValue(format), result.Schema.Columns.Select(c => c.Name).ToList(), result.Rows);
            cli.Error.WriteLine($"{result.Rows.Count} of {DataWriter.Cell("rows", total)} rows");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command CreateQuery(CliContext cli)
    {
        var sql = new Argument<string>("sql") { Description = "SQL to run on the warehouse; assets are tables named by their ids." };
        var limit = new Option<int?>("--limit", "-n") { Description = $"Rows to print at most. Default: every row for csv and json, {TableRows:N0} for a table." };
        var format = CliContext.FormatOption();
        var command = new Command("query", "Run SQL on the project's warehouse and print the result; for an INSERT, UPDATE or DELETE, how many rows it changed.") { sql, limit, format };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            using var reader = await IWarehouseReader.OpenAsync(project, ct);
            var f = parse.GetValue(format);
            var max = parse.GetValue(limit) ?? (f == OutputFormat.Table ? TableRows : null);
            // One row more than printed tells whether there were more.
            var result = await reader.QueryAsync(parse.GetValue(sql)!, max + 1, ct);
            if (result.RowsChanged is { } changed)
            {
                // INSERT, UPDATE and DELETE return no rows: the count they changed is the answer.
                DataWriter.Write(cli.Out, f, ["rows_changed"], [[changed]]);
                cli.Error.WriteLine($"{changed:N0} row(s) changed");
                return ExitCodes.Success;
            }
            var rows = max is { } m ? result.Rows.Take(m).ToList() : result.Rows;
            DataWriter.Write(cli.Out, f, result.Schema.Columns.Select(c => c.Name).ToList(), rows);
            if (rows.Count < result.Rows.Count) cli.Error.WriteLine($"the first {rows.Count:N0} rows; pass --limit N for more");
            return ExitCodes.Success;
        }));
        return command;
    }

    // One row per value of the other text and date columns, one column per model holding the measure.
    private static (List<string> Columns, List<object?[]> Rows, string Note) Pivot(QueryResult result, string? measure)
    {
        var schema = result.Schema.Columns;
        var model = schema.ToList().FindIndex(c => c.Name == "model");
        if (model < 0) throw new CliException($"--wide spreads a table's models into columns, and this table has no 'model' column. Columns: {string.Join(", ", schema.Select(c => c.Name))}.");
        var numeric = schema.Select((c, i) => (c, i)).Where(x => x.c.Kind is DataKind.Number or DataKind.Integer).ToList();
        var value = measure is null ? numeric.Select(x => x.i).DefaultIfEmpty(-1).First() : schema.ToList().FindIndex(c => c.Name == measure);
        if (value < 0)
            throw new CliException(measure is null ? "--wide needs a numeric column to spread over the models; this table has none."
                : $"no column '{measure}'.{NameSuggestion.Format(measure, schema.Select(c => c.Name).ToList())} Numeric columns: {string.Join(", ", numeric.Select(x => x.c.Name))}.");
        var keys = schema.Select((c, i) => (c, i)).Where(x => x.i != model && x.c.Kind is DataKind.Text or DataKind.Date or DataKind.Timestamp).Select(x => x.i).ToList();
        var models = result.Rows.Select(r => DataWriter.Text(r[model])).Distinct(StringComparer.Ordinal).ToList();
        var rows = new List<object?[]>();
        var index = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        foreach (var r in result.Rows)
        {
            var key = string.Join("\u001f", keys.Select(k => DataWriter.Text(r[k])));
            if (!index.TryGetValue(key, out var row))
            {
                index[key] = row = new object?[keys.Count + models.Count];
                for (var k = 0; k < keys.Count; k++) row[k] = r[keys[k]];
                rows.Add(row);
            }
            row[keys.Count + models.IndexOf(DataWriter.Text(r[model]))] = r[value];
        }
        // Largest first by the first model's value, so the top of a long table is what matters.
        rows = rows.OrderByDescending(r => r[keys.Count] is { } v ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture) : double.MinValue).ToList();
        return ([.. keys.Select(k => schema[k].Name), .. models], rows, $"{schema[value].Name} by {string.Join(", ", keys.Select(k => schema[k].Name))}, one column per model");
    }
}
