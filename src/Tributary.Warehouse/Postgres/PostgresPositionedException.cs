using System.Data.Common;
using System.Text;
using Npgsql;

namespace Tributary.Warehouse.Postgres;

/// <summary>
/// PostgreSQL's error for a statement the warehouse wrapped around the caller's query (<c>CREATE TABLE ... AS</c>), told at
/// the line and column of the caller's query, as psql shows it (<c>LINE 2:</c> and a caret), instead of PostgreSQL's
/// <c>POSITION</c>, which counts the wrapper too. The original is the inner exception, so its SQLSTATE still decides.
/// </summary>
internal sealed class PostgresPositionedException : DbException
{
    private PostgresPositionedException(string message, PostgresException inner) : base(message, inner) => SqlStateOfInner = inner.SqlState;

    private string SqlStateOfInner { get; }

    /// <inheritdoc />
    public override string SqlState => SqlStateOfInner;

    /// <summary>
    /// <paramref name="exception"/> retold inside <paramref name="sql"/>, which PostgreSQL received after
    /// <paramref name="prefix"/>; null when it has no position or points into the prefix.
    /// </summary>
    public static PostgresPositionedException? Of(PostgresException exception, string prefix, string sql)
    {
        // PostgreSQL counts characters (code points) from 1, not UTF-16 units.
        var at = exception.Position - CodePoints(prefix);
        if (exception.Position <= 0 || at < 1) return null;
        var index = 0;
        for (var n = 1; n < at && index < sql.Length; n++) index += char.IsHighSurrogate(sql[index]) && index + 1 < sql.Length ? 2 : 1;
        var start = sql.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        if (index == 0) start = 0;
        var end = sql.IndexOf('\n', start);
        var text = (end < 0 ? sql[start..] : sql[start..end]).TrimEnd('\r');
        var line = 1 + sql.AsSpan(0, start).Count('\n');
        var label = $"LINE {line.ToString(System.Globalization.CultureInfo.InvariantCulture)}: ";
        // Tabs stay tabs under the line, so the caret stands under the character whatever the tab width.
        var caret = new StringBuilder(new string(' ', label.Length));
        foreach (var c in text.AsSpan(0, Math.Min(index - start, text.Length))) caret.Append(c == '\t' ? '\t' : ' ');
        var where = $"{label}{text}\n{caret}^";
        var position = $"POSITION: {exception.Position.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        var message = exception.Message.Contains(position, StringComparison.Ordinal)
            ? exception.Message.Replace(position, where, StringComparison.Ordinal)
            : exception.Message + "\n\n" + where;
        return new PostgresPositionedException(message, exception);
    }

    private static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }
}
