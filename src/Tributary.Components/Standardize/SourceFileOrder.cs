using Tributary.Components.Sources.Platform;
using Tributary.Core.Components;

namespace Tributary.Components.Standardize;

/// <summary>
/// Which of a source's files is the latest, for standardizers that keep the latest file's version of a record: the one
/// loaded last, then among files loaded in one run the one modified last, then the last by path. A file's name says
/// nothing of its age ("Campaign report (1).csv" is the newer download), so the order comes from the source's files ledger.
/// </summary>
internal static class SourceFileOrder
{
    /// <summary>The column <see cref="RankedAsync"/> adds: higher is later; rows of a file the ledger does not list come first.</summary>
    public const string Column = "_file_order";

    /// <summary>
    /// A parenthesized query of <paramref name="input"/>'s rows plus <see cref="Column"/>. Inputs without a files ledger (a
    /// table written by SQL, say) are ordered by <c>_source_file</c>.
    /// </summary>
    public static async Task<string> RankedAsync(ComponentContext context, string input, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var table = d.Quote(input);
        var ledger = context.InputOutputs.TryGetValue(input, out var outputs) ? outputs.FirstOrDefault(o => o.Output.Name == PlatformSchemas.Files)?.Table : null;
        // Ledgers written before re-deliveries replaced their path's entry may list a path more than once; its last load counts.
        var files = ledger is not null && await context.Warehouse.DescribeTableAsync(ledger, cancellationToken).ConfigureAwait(false) is not null
            ? $"SELECT file, row_number() OVER (ORDER BY max(loaded_at), max(modified_at), {d.ByteOrder("file")}) AS {Column} FROM {d.Quote(ledger)} GROUP BY file"
            : $"SELECT file, row_number() OVER (ORDER BY {d.ByteOrder("file")}) AS {Column} FROM (SELECT DISTINCT _source_file AS file FROM {table}) AS f";
        return $"(SELECT s.*, coalesce(o.{Column}, 0) AS {Column} FROM {table} s LEFT JOIN ({files}) AS o ON o.file = s._source_file)";
    }
}
