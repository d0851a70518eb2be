using System.ComponentModel;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Funnels;

/// <summary>Who a journey belongs to: one identity-resolved person, or one visit.</summary>
public enum CountingUnit
{
    /// <summary>A person: the identity graph's profile of the event's user_id or anonymous_id, else user_id, else anonymous_id.</summary>
    [Description("a person (identity-resolved profile)")]
    Person,
    /// <summary>A session: a visitor's (anonymous_id, else user_id) events with no gap longer than the session gap.</summary>
    [Description("a session")]
    Session,
}

/// <summary>
/// The SQL that gives every event its counting unit, shared by the journey components: a CTE body selecting
/// <c>unit</c> plus the caller's columns from the events table (and the identity graph for persons).
/// </summary>
internal static class EventUnits
{
    /// <summary>
    /// CTE definitions ending in one named <paramref name="name"/> with <c>unit, id, ts</c> and <paramref name="extra"/>
    /// (expressions over alias <c>e</c>, each already named with AS). With <paramref name="textUnit"/> false a
    /// <paramref name="unitColumn"/> keeps its own type (an integer key partitions and joins faster than its text);
    /// the caller then casts the unit where it writes it. <paramref name="where"/> (over alias <c>e</c>) keeps only the
    /// events it holds for; for units other than sessions it is applied as the table is read, for sessions to the events
    /// numbered once the sessions are cut from all of a visitor's events. With <paramref name="inline"/>
    /// the CTE of a person or unit column is marked NOT MATERIALIZED, so that each reference reads only the rows and
    /// columns it needs (a session's is left to the engine: its cut needs all of a visitor's events).
    /// </summary>
    public static string Ctes(SqlBuilder q, string name, string events, string? identity, CountingUnit unit, string? unitColumn, TimeSpan sessionGap,
        string timeColumn, string idColumn, IReadOnlyList<string> extra, bool textUnit = true, string? where = null, bool inline = false)
    {
        var opening = inline ? $"{name} AS NOT MATERIALIZED (" : $"{name} AS (";
        var and = where is null ? "" : $" AND ({where})";
        var cols = string.Join("", extra.Select(x => ", " + x));
        var ts = $"e.{q.Quote(timeColumn)}";
        var id = $"e.{q.Quote(idColumn)}";
        if (unitColumn is not null)
            return $"{opening}SELECT {(textUnit ? q.Cast($"e.{q.Quote(unitColumn)}", DataKind.Text) : $"e.{q.Quote(unitColumn)}")} AS unit, {id} AS id, {ts} AS ts{cols} FROM {q.Quote(events)} e WHERE e.{q.Quote(unitColumn)} IS NOT NULL AND {ts} IS NOT NULL{and})";
        if (unit == CountingUnit.Person)
        {
            var person = identity is null ? "coalesce(e.user_id, e.anonymous_id)" : "coalesce(iu.profile_id, ia.profile_id, e.user_id, e.anonymous_id)";
            var joins = identity is null ? "" :
                $" LEFT JOIN {q.Quote(identity)} iu ON iu.identifier_type = 'user_id' AND iu.identifier_value = e.user_id" +
                $" LEFT JOIN {q.Quote(identity)} ia ON ia.identifier_type = 'anonymous_id' AND ia.identifier_value = e.anonymous_id";
            return $"{opening}SELECT {person} AS unit, {id} AS id, {ts} AS ts{cols} FROM {q.Quote(events)} e{joins} WHERE coalesce(e.user_id, e.anonymous_id) IS NOT NULL AND {ts} IS NOT NULL{and})";
        }
        var gap = q.Interval(sessionGap);
        var passthrough = string.Join("", extra.Select(x => ", " + x[(x.LastIndexOf(" AS ", StringComparison.Ordinal) + 4)..]));
        // Sessions are cut in time order alone: events at one instant are never a gap apart, so however a tie is broken
        // each instant holds at most one start and its events share a session (the sum's default RANGE frame takes in
        // all of an instant's events), so the event id need not be sorted on.
        var visitor = "coalesce(e.anonymous_id, e.user_id)";
        var read = $"FROM {q.Quote(events)} e WHERE {visitor} IS NOT NULL AND {ts} IS NOT NULL";
        var starts = $"CASE WHEN ts - lag(ts) OVER (PARTITION BY visitor ORDER BY ts) <= {gap} THEN 0 ELSE 1 END AS starts";
        var number = $"visitor || '#' || CAST(sum(starts) OVER (PARTITION BY visitor ORDER BY ts) AS {q.Dialect.TypeName(DataKind.Text)}) AS unit";
        if (where is null)
            return $"""
                {name}_visits AS (SELECT {visitor} AS visitor, {id} AS id, {ts} AS ts{cols} {read}),
                {name}_gaps AS (SELECT *, {starts} FROM {name}_visits),
                {name} AS (SELECT {number}, id, ts{passthrough} FROM {name}_gaps)
                """;
        // Only some events wanted: the gaps are found from every event's visitor and time alone, and the wanted events
        // (the columns they carry read for them only) are numbered among the sessions' starts.
        var nulls = string.Concat(extra.Select(_ => ", NULL"));
        return $"""
            {name}_gaps AS (SELECT visitor, ts, {starts} FROM (SELECT {visitor} AS visitor, {ts} AS ts {read}) v),
            {name}_marks AS (
                SELECT {visitor} AS visitor, {id} AS id, {ts} AS ts{cols}, 0 AS starts {read} AND ({where})
                UNION ALL SELECT visitor, NULL, ts{nulls}, 1 FROM {name}_gaps WHERE starts = 1),
            {name}_numbered AS (SELECT {number}, id, ts{passthrough}, starts FROM {name}_marks),
            {name} AS (SELECT unit, id, ts{passthrough} FROM {name}_numbered WHERE starts = 0)
            """;
    }
}
