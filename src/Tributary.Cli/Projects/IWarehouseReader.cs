using Tributary.Core.Warehousing;

namespace Tributary.Cli.Projects;

/// <summary>
/// What <c>trib show</c> and <c>trib query</c> read: the project's warehouse itself, or, while <c>trib serve</c> owns
/// it (an embedded DuckDB file has one owner), the same reads through that server.
/// </summary>
internal interface IWarehouseReader : IDisposable
{
    /// <summary>The warehouse's tables.</summary>
    Task<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="table"/> exists.</summary>
    Task<bool> ExistsAsync(string table, CancellationToken cancellationToken);

    /// <summary>Runs SQL; at most <paramref name="limit"/> rows, every row when null. A failing statement is a <see cref="CliException"/>.</summary>
    Task<QueryResult> QueryAsync(string sql, int? limit, CancellationToken cancellationToken);

    /// <summary>An identifier quoted for the warehouse's SQL.</summary>
    string Quote(string identifier);

    /// <summary>The reader for <paramref name="project"/>: through its running server when there is one.</summary>
    static async Task<IWarehouseReader> OpenAsync(ProjectSession project, CancellationToken cancellationToken) =>
        ServerConnection.Find(project) is { } server
            ? new ServerWarehouseReader(server)
            : new LocalWarehouseReader(await project.WarehouseAsync(cancellationToken).ConfigureAwait(false));
}
