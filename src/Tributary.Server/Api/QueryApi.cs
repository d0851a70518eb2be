using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Tributary.Core.Warehousing;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// <c>POST /api/query</c>: SQL on the warehouse this server owns, so that <c>trib query</c> and <c>trib show</c> work
/// while it runs (an embedded DuckDB file has one owner). A POST, so it needs what every change needs (the bearer
/// token or the write secret). Read-only unless the request asks to write (<see cref="QuerySubmission.Write"/>), judged by
/// the engine (<see cref="Core.Warehousing.IWarehouse.QueryReadOnlyAsync"/>), and then bounded in time as well as in rows.
/// </summary>
internal static class QueryApi
{
    /// <summary>Rows one answer holds at most: the answer is built in the server's memory, and any caller can ask (its bytes are capped too: <see cref="ServerOptions.MaxQueryAnswerBytes"/>).</summary>
    public const int MaxRows = 100_000;

    /// <summary>How long a read-only query may run before the engine stops it.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The refusal of a statement that could change something, before the engine's reason.</summary>
    public const string ReadOnlyRefusal = "the query console runs read-only statements; use `trib query` at the terminal to change data";

    /// <summary>
    /// Why a change through the server was refused: a COPY ... TO could overwrite tributary.yaml, which sets the folders
    /// DuckDB may read, so through the API a change reaches tables only.
    /// </summary>
    public const string TablesOnlyRefusal = "through the server, SQL may change tables but not files, extensions or settings; stop trib serve and run it with `trib query` to do that";

    /// <summary>The name of the ProblemDetails member that gives where in the SQL the engine stopped (1-based, in characters), when it says.</summary>
    public const string PositionMember = "position";

    // DuckDB.NET names a result's types by its enum (Integer, BigInt, Varchar); DuckDB's SQL and its catalog spell them in capitals.
    private static string SqlType(ISqlDialect dialect, string type) => dialect.Name == "duckdb" ? type.ToUpperInvariant() : type;

    public static void Map(RouteGroupBuilder group, TributaryProject project, long maxBytes)
    {
        group.MapPost("/query", async Task<Results<Ok<QueryAnswer>, BadRequest<ProblemDetails>, ProblemHttpResult>> (QuerySubmission body, HttpContext context, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(body.Sql)) return ApiProblems.BadRequest("sql is empty");
            if (body.Limit is < 0) return ApiProblems.BadRequest($"limit must be 0 or more, got {body.Limit}");
            try
            {
                // One row past the cap tells a cut answer from one that fits exactly.
                var wanted = Math.Min(body.Limit ?? MaxRows, MaxRows);
                var asked = wanted == MaxRows ? MaxRows + 1 : wanted;
                var result = body.Write
                    ? await project.Warehouse.QueryTablesOnlyAsync(body.Sql, asked, ct).ConfigureAwait(false)
                    : await project.Warehouse.QueryReadOnlyAsync(body.Sql, asked, ReadTimeout, ct).ConfigureAwait(false);
                var truncated = result.Rows.Count > MaxRows;
                var rows = JsonCells.Finite(truncated ? [.. result.Rows.Take(MaxRows)] : result.Rows);
                var fit = AnswerSize.RowsWithin(rows, maxBytes);
                return TypedResults.Ok(new QueryAnswer(result.Schema.Columns.Select(c => new ColumnView(c.Name, c.Kind, SqlType(project.Warehouse.Dialect, c.SqlType))).ToList(), fit < rows.Count ? [.. rows.Take(fit)] : rows,
                    truncated ? MaxRows : null, result.RowsChanged, fit < rows.Count ? maxBytes : null));
            }
            catch (StatementNotReadOnlyException e) when (body.Write)
            {
                return ApiProblems.BadRequest($"{TablesOnlyRefusal} ({e.Message}).");
            }
            catch (StatementNotReadOnlyException e)
            {
                return ApiProblems.BadRequest($"{ReadOnlyRefusal} ({e.Message}).");
            }
            catch (TimeoutException e)
            {
                return ApiProblems.BadRequest($"{e.Message} (the query console's limit); narrow it, or run it with `trib query` at the terminal, which has none.");
            }
            catch (DbException e) when (project.Warehouse.IsConnectionFailure(e))
            {
                // The warehouse, not the SQL: a pooled connection a database restart ended, say. Asking again takes a new one.
                context.Response.Headers.RetryAfter = "1";
                return TypedResults.Problem(ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable,
                    $"the warehouse connection failed, not the query: {e.Message}; send it again (a database restart ends the connections the server held)"));
            }
            catch (DbException e)
            {
                var problem = ApiProblems.Problem(StatusCodes.Status400BadRequest, $"query failed: {e.Message}");
                // DuckDB puts the line and a caret in its message; PostgreSQL gives the character apart.
                if (e is Npgsql.PostgresException { Position: > 0 } postgres) problem.Extensions[PositionMember] = postgres.Position;
                return TypedResults.BadRequest(problem);
            }
        }).ProducesProblem(StatusCodes.Status503ServiceUnavailable).WithTags("Assets");
    }
}
