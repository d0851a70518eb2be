using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>Parameters of <c>standardize.sessions</c>.</summary>
public sealed record SessionsParameters
{
    /// <summary>Passes the sessions are built in, by visitor; null chooses from the events' count and the warehouse's memory limit.</summary>
    [Description("Build the sessions in this many passes, each over the visitors whose id hashes to one of them, so the sorts of a pass fit in memory. "
        + "Default: enough passes for the events' count to fit DuckDB's memory_limit (one pass on PostgreSQL).")]
    [Range(1, KeyedPasses.MaxPasses)]
    public int? Passes { get; init; }
}
