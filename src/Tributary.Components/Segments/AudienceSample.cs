using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Segments;

/// <summary>
/// An audience as it stands now, for the Audiences page and <c>trib audiences preview</c>: the rows it holds (after the
/// limit, as <c>segment.audience</c> would write them), the table's rows, and its first rows. Both read it here, through
/// the same <see cref="AudienceQuery"/> the step runs, so that they count alike.
/// </summary>
/// <param name="Count">Rows in the audience.</param>
/// <param name="Total">Rows of the table.</param>
/// <param name="Schema">The table's columns.</param>
/// <param name="Rows">The audience's first rows, in the query's order.</param>
public sealed record AudienceSample(long Count, long Total, TableSchema Schema, IReadOnlyList<object?[]> Rows)
{
    /// <summary>Counts <paramref name="query"/> (built over <paramref name="table"/>) and reads its first <paramref name="sampleRows"/> rows.</summary>
    public static async Task<AudienceSample> ReadAsync(IWarehouse warehouse, string table, TableSchema schema, AudienceQuery query, int sampleRows, CancellationToken cancellationToken)
    {
        var count = await warehouse.ScalarAsync($"SELECT count(*) FROM ({query.Sql}) a", query.Parameters, cancellationToken).ConfigureAwait(false);
        var total = await warehouse.ScalarAsync($"SELECT count(*) FROM {warehouse.Dialect.Quote(table)}", null, cancellationToken).ConfigureAwait(false);
        var sample = await warehouse.QueryAsync(query.FirstRowsSql(sampleRows), query.Parameters, sampleRows, cancellationToken).ConfigureAwait(false);
        return new AudienceSample(Long(count), Long(total), schema, sample.Rows);
    }

    private static long Long(object? value) => Convert.ToInt64(value ?? 0L, CultureInfo.InvariantCulture);
}
