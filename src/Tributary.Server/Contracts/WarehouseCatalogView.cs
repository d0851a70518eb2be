using Tributary.Core.Warehousing;

namespace Tributary.Server.Contracts;

/// <summary>What the warehouse holds (<c>GET /api/tables</c>): its tables and views in every schema but the engine's own, for the Explore page.</summary>
/// <param name="Engine">The engine whose SQL the query console takes: <c>duckdb</c> or <c>postgres</c>.</param>
/// <param name="CurrentSchema">The schema an unqualified table name resolves to: where pipelines write.</param>
/// <param name="Tables">Tables and views by schema, then name.</param>
public sealed record WarehouseCatalogView(string Engine, string CurrentSchema, IReadOnlyList<WarehouseTableView> Tables);

/// <summary>A table or view of the warehouse.</summary>
/// <param name="Schema">Its schema.</param>
/// <param name="Name">Its name.</param>
/// <param name="IsView">Whether it is a view (its rows are not counted: counting would run it).</param>
/// <param name="Rows">How many rows it has; null for a view, for a table the server could not count (it may not read it, or it was dropped meanwhile), and for the tables left once counting took longer than the server allows (10 s a statement).</param>
/// <param name="RowsEstimated">Whether <paramref name="Rows"/> is the engine's estimate rather than a count: PostgreSQL's planner estimate (<c>pg_class.reltuples</c>, as of the table's last ANALYZE; for a table never analyzed, its size over a row width guessed from its columns) for a table it estimates above 1,000,000 rows, which counting could take longer than the server allows.</param>
/// <param name="Columns">Its columns in order.</param>
public sealed record WarehouseTableView(string Schema, string Name, bool IsView, long? Rows, bool RowsEstimated, IReadOnlyList<WarehouseColumnView> Columns);

/// <summary>A column of a warehouse table.</summary>
/// <param name="Name">Its name.</param>
/// <param name="SqlType">The engine's name of its type with its precision and scale where it has them (DuckDB <c>BIGINT</c>, <c>DECIMAL(18,2)</c>; PostgreSQL <c>bigint</c>, <c>numeric(18,2)</c>).</param>
/// <param name="Type">Its portable kind of data.</param>
public sealed record WarehouseColumnView(string Name, string SqlType, DataKind Type);
