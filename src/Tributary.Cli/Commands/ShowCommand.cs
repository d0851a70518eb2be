using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Core.Components;
using Tributary.Engine.Runs;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>trib show ASSET</c> previews a table, <c>trib show</c> lists the tables grouped under the steps that declared them;
/// <c>trib query "SQL"</c> runs a query on the warehouse.
/// </summary>
internal static class ShowCommand
{
    public static Command CreateShow(CliContext cli)
    {
        var asset = new Argument<string?>("asset") { Description = "Asset (table) name; without it, every table grouped under its step.", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit", "-n") { Description = "Rows to show. Default 20.", DefaultValueFactory = _ => 20 };
        var all = new Option<bool>("--all") { Description = "List internal outputs too (a source's files ledger)." };
        var format = CliContext.FormatOption();
        var command = new Command("show", "Preview an asset's rows, or list the assets grouped by step.") { asset, limit, all, format };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var warehouse = await project.WarehouseAsync(ct);
            if (parse.GetValue(asset) is not { } name)
            {
                var store = await project.StoreAsync(ct);
                var entries = AssetList.Of(await warehouse.ListTablesAsync(ct), await store.GetLatestMaterializationsAsync(ct), parse.GetValue(all));
                DataWriter.Write(cli.Out, parse.GetValue(format), ["step", "output", "role", "table", "rows", "materialized_at"],
                    entries.Select(e => new object?[] { e.Step ?? "", e.Output ?? "", e.Role?.ToString().ToLowerInvariant() ?? "", e.Table, e.Latest?.RowCount, e.Latest?.At }).ToList());
                return ExitCodes.Success;
            }
            if (await warehouse.DescribeTableAsync(name, ct) is null)
            {
                var tables = await warehouse.ListTablesAsync(ct);
                throw new CliException($"no asset '{name}' in the warehouse.{NameSuggestion.Format(name, tables)}" +
                    (tables.Count == 0 ? " Nothing is materialized yet: run a pipeline first." : $" Assets: {string.Join(", ", tables)}."));
            }
            var n = parse.GetValue(limit);
            var result = await warehouse.QueryAsync($"SELECT * FROM {warehouse.Dialect.Quote(name)} LIMIT {Math.Max(0, n)}", null, n, ct);
            var total = await warehouse.ScalarAsync($"SELECT count(*) FROM {warehouse.Dialect.Quote(name)}", null, ct);
            DataWriter.Write(cli.Out, parse.GetValue(format), result.Schema.Columns.Select(c => c.Name).ToList(), result.Rows);
            cli.Error.WriteLine($"{result.Rows.Count} of {total} rows");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command CreateQuery(CliContext cli)
    {
        var sql = new Argument<string>("sql") { Description = "SQL to run on the warehouse; assets are tables named by their ids." };
        var limit = new Option<int>("--limit", "-n") { Description = "Rows to print at most. Default 1000.", DefaultValueFactory = _ => 1000 };
        var format = CliContext.FormatOption();
        var command = new Command("query", "Run SQL on the project's warehouse and print the result.") { sql, limit, format };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var warehouse = await project.WarehouseAsync(ct);
            try
            {
                var result = await warehouse.QueryAsync(parse.GetValue(sql)!, null, parse.GetValue(limit), ct);
                DataWriter.Write(cli.Out, parse.GetValue(format), result.Schema.Columns.Select(c => c.Name).ToList(), result.Rows);
            }
            catch (System.Data.Common.DbException e)
            {
                throw new CliException($"query failed: {e.Message}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
