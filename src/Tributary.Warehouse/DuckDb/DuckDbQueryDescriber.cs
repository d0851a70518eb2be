using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Warehouse.DuckDb;

/// <summary>
/// Describes a query in a private in-memory DuckDB: the inputs become empty temporary tables of their declared columns,
/// the query runs with <c>LIMIT 0</c> in a transaction that is rolled back, and the result's columns are read off the
/// reader. No data is touched and nothing outside the process is read (external access is off), so checking a file
/// can neither be slow nor reach a file its SQL names.
/// </summary>
public sealed partial class DuckDbQueryDescriber : IQueryDescriber, IDisposable
{
    private readonly DuckDbDialect _dialect = new();
    private DuckDBConnection? _connection;

    /// <inheritdoc />
    public ISqlDialect Dialect => _dialect;

    /// <inheritdoc />
    public TableSchema? Describe(string sql, IReadOnlyList<object?> parameters, IReadOnlyList<PlannedInput> inputs)
    {
        // A column of another kind (a list, a struct) has no portable type to build it from: guessing one would make
        // the engine refuse SQL that runs on the real table.
        if (inputs.Any(i => i.Schema is null || i.Schema.Columns.Any(c => c.Kind == DataKind.Other))) return null;
        var connection = Open();
        using var transaction = connection.BeginTransaction();
        try
        {
            foreach (var input in inputs.DistinctBy(i => i.Id, StringComparer.Ordinal))
            {
                var columns = input.Schema!.Columns.DistinctBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                    .Select(c => $"{_dialect.Quote(c.Name)} {_dialect.TypeName(c.Kind)}");
                Execute(connection, $"CREATE TEMPORARY TABLE {_dialect.Quote(input.Id)} ({string.Join(", ", columns)})", []);
            }
            using var command = connection.CreateCommand();
            // On lines of its own: a comment on the query's last line must not swallow the closing parenthesis.
            command.CommandText = $"SELECT * FROM (\n{sql}\n) AS {_dialect.Quote("described")} LIMIT 0";
            foreach (var value in parameters) command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
            using var reader = command.ExecuteReader();
            return new TableSchema(Enumerable.Range(0, reader.FieldCount)
                .Select(i => new ColumnSchema(reader.GetName(i), reader.GetDataTypeName(i), _dialect.KindOf(reader.GetDataTypeName(i)))).ToList());
        }
        catch (DuckDBException e) when (CannotSayWithoutData(e.Message))
        {
            return null;
        }
        catch (DuckDBException e)
        {
            throw new SqlDoesNotRunException(Shown(e.Message), e);
        }
        finally
        {
            transaction.Rollback();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _connection?.Dispose();

    private DuckDBConnection Open()
    {
        if (_connection is not null) return _connection;
        var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        foreach (var setting in new[] { "SET enable_external_access = false", "SET lock_configuration = true" }) Execute(connection, setting, []);
        return _connection = connection;
    }

    private static void Execute(DuckDBConnection connection, string sql, IReadOnlyList<object?> parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var value in parameters) command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
        command.ExecuteNonQuery();
    }

    // A table that is not an input (one written by a step of another pipeline, or a side output) and a file the SQL reads
    // exist only at run time; the run's own engine has the last word on those.
    private static bool CannotSayWithoutData(string message) =>
        message.Contains("Permission Error", StringComparison.Ordinal)
        || (message.Contains("Catalog Error", StringComparison.Ordinal) && message.Contains("Table with name", StringComparison.Ordinal));

    // The engine's own words on one line, without the excerpt of the wrapped query it adds ("LINE 2: ..."), whose number is
    // turned into the query's own line (the query starts on the wrapper's second line).
    private static string Shown(string message)
    {
        var at = message.IndexOf("\nLINE ", StringComparison.Ordinal);
        var text = string.Join(' ', (at < 0 ? message : message[..at]).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        text = text.Replace("Candidate bindings: :", "Candidate bindings:", StringComparison.Ordinal);
        if (!text.EndsWith('.') && !text.EndsWith('!')) text += ".";
        var line = at < 0 ? null : LineNumber().Match(message, at + 1);
        var where = line is { Success: true } && int.TryParse(line.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 2
            ? string.Create(CultureInfo.InvariantCulture, $" (line {n - 1} of the query)")
            : "";
        return $"its SQL does not run on its inputs{where}: {text}";
    }

    [GeneratedRegex(@"\GLINE (\d+):")]
    private static partial Regex LineNumber();
}
