using Tributary.Analytics.Identity;

namespace Tributary.Analytics.Tests.Identity;

public sealed class IdentityGraphCombinationTests
{
    private static readonly IdentityOptions Options = new(
        new Dictionary<string, int> { ["user_id"] = 1, ["email"] = 1, ["phone"] = 2 }, ["user_id", "email", "phone"]);

    private static Identifier[] Ids(params string[] values) =>
        [.. values.Select(v => new Identifier(v[0] switch { 'u' => "user_id", 'e' => "email", _ => "phone" }, v))];

    private static string[] Profiles(IdentityProfiles p) =>
        [.. p.Assignments().Select(a => $"{a.Identifier.Value}={a.ProfileId}@{a.FirstSeen:O}/{a.LastSeen:O}")];

    // Rows in order, with their times; the graph fed each row, and the graph fed each distinct row once (with its count and
    // earliest and latest time) in order of its first row.
    private static (IdentityGraphBuilder Rows, IdentityGraphBuilder Combinations) Both(params (string[] Ids, int Day)[] rows)
    {
        var (each, grouped) = (new IdentityGraphBuilder(Options), new IdentityGraphBuilder(Options));
        foreach (var r in rows) each.Add(Ids(r.Ids), new DateTime(2026, 1, r.Day), "s");
        foreach (var g in rows.GroupBy(r => string.Join(",", r.Ids)))
            grouped.Add(Ids(g.First().Ids), new DateTime(2026, 1, g.Min(r => r.Day)), new DateTime(2026, 1, g.Max(r => r.Day)), "s", g.Count());
        return (each, grouped);
    }

    [Fact]
    public void Add_RepeatedRowsAsCombinations_LinksAsEveryRowDoes()
    {
        // u1's profile reaches the user and phone caps; repeats come before and after the refusals.
        var (rows, combinations) = Both((["u1", "e1"], 3), (["e1", "p1"], 1), (["u2", "e1"], 5), (["u1", "e1"], 9), (["e2", "p1"], 2),
            (["u2", "e3"], 4), (["e3", "p2"], 6), (["e3", "p3"], 7), (["e1", "p3"], 8), (["e1", "p1"], 12), (["u2", "e1"], 11));

        var (expected, actual) = (rows.Link(), combinations.Link());

        Assert.False(combinations.RepeatsMatter);
        Assert.Equal(Profiles(expected), Profiles(actual));
        Assert.Equal(expected.Refused.Select(r => r.ToString()), actual.Refused.Select(r => r.ToString()));
        Assert.NotEmpty(actual.Refused);
        Assert.Equal(rows.Records, combinations.Records);
    }

    [Fact]
    public void Add_RefusalThatALaterRepeatBreaksOnAStrongerCap_SaysRepeatsMatter()
    {
        // e1-p2 breaks the phone cap at first; by its repeat (a day later) e2 shares p2's profile, so the repeat breaks the email cap and
        // p2 is shared (it joins nobody). Grouped, the repeat is not seen.
        var (rows, combinations) = Both((["e1", "p1"], 1), (["u1", "p2"], 1), (["u1", "p3"], 1), (["e1", "p2"], 1), (["e2", "p3"], 1), (["e1", "p2"], 2));

        var (expected, actual) = (rows.Link(), combinations.Link());

        Assert.False(rows.RepeatsMatter);
        Assert.True(combinations.RepeatsMatter);
        Assert.NotEqual(Profiles(expected), Profiles(actual));
    }

    // Records in time order, records in another order, and distinct combinations in yet another: the same profiles, ids,
    // refused links and merges. Caps are hit, times tie and some are missing, so neither arrival order nor ties may decide.
    [Fact]
    public void Link_SameRecordsInAnyOrderOrAsCombinations_GivesTheSameIds()
    {
        var random = new Random(11);
        var rows = Enumerable.Range(0, 600).Select(_ =>
        {
            var c = random.Next(150);
            string[] ids = c % 3 == 0 ? [$"u{c % 40}", $"e{c % 70}"] : c % 3 == 1 ? [$"e{c % 70}", $"p{c % 50}"] : [$"u{c % 40}", $"p{c % 50}"];
            return (Ids: ids, Day: random.Next(5) == 0 ? 0 : 1 + random.Next(20));
        }).ToArray();
        var previous = new[] { ("email", "e3", "p_000000004"), ("user_id", "u7", "p_000000002"), ("phone", "p9", "p_000000004") };

        string[] Run(IEnumerable<(string[] Ids, int Day)> order, bool grouped)
        {
            var graph = new IdentityGraphBuilder(Options);
            DateTime? At(int day) => day == 0 ? null : new DateTime(2026, 1, day);
            if (grouped)
                foreach (var g in order.GroupBy(r => string.Join(",", r.Ids)))
                {
                    var days = g.Where(r => r.Day > 0).Select(r => r.Day).DefaultIfEmpty(0).ToArray();
                    graph.Add(Ids(g.First().Ids), At(days.Min()), At(days.Max()), "s", g.Count());
                }
            else
                foreach (var r in order) graph.Add(Ids(r.Ids), At(r.Day), "s");
            foreach (var (type, value, id) in previous) graph.AddPrevious(type, value, id);
            var p = graph.Link();
            Assert.False(grouped && graph.RepeatsMatter);
            Assert.NotEmpty(p.Refused);
            return [.. Profiles(p).Order(StringComparer.Ordinal), .. p.Refused.Select(r => r.ToString()).Order(StringComparer.Ordinal),
                .. p.Merges.Select(m => m.ToString()).Order(StringComparer.Ordinal)];
        }

        var expected = Run(rows.OrderBy(r => r.Day == 0 ? int.MaxValue : r.Day), grouped: false);
        Assert.Equal(expected, Run(rows, grouped: false));
        Assert.Equal(expected, Run(rows.Reverse(), grouped: false));
        Assert.Equal(expected, Run(rows.Reverse(), grouped: true));
    }

    // New profiles are numbered by their earliest identifier: first seen, then type priority, then value; after the highest
    // earlier id. Records come in reverse.
    [Fact]
    public void Link_NewProfiles_AreNumberedByFirstSeenThenPriorityThenValue()
    {
        var graph = new IdentityGraphBuilder(Options);
        graph.Add(Ids("p7"), null, "s");
        graph.Add(Ids("e5", "p5"), new DateTime(2026, 1, 4), "s");
        graph.Add(Ids("p4"), new DateTime(2026, 1, 2), "s");
        graph.Add(Ids("e3"), new DateTime(2026, 1, 2), "s");
        graph.Add(Ids("p1", "e9"), new DateTime(2026, 1, 3), "s");
        graph.Add(Ids("e2", "u2"), new DateTime(2026, 1, 4), "s");
        graph.Add(Ids("e6"), null, "s");
        graph.AddPrevious("email", "gone", "p_000000010");

        var ids = graph.Link().Assignments().ToDictionary(a => a.Identifier.Value, a => a.ProfileId);

        // Day 2: email e3 before phone p4 (priority). Day 3: p1 and e9. Day 4: u2's profile before e5's (user_id first).
        // Unknown time last: email e6 before phone p7.
        Assert.Equal(["p_000000011", "p_000000012", "p_000000013", "p_000000014", "p_000000014", "p_000000015", "p_000000015", "p_000000016", "p_000000017"],
            new[] { "e3", "p4", "p1", "u2", "e2", "e5", "p5", "e6", "p7" }.Select(v => ids[v]).ToArray());
        Assert.Equal(ids["p1"], ids["e9"]);
    }

    // Without times, profiles follow the values in ordinal order within a type. The values share a long prefix, differ only
    // past their first characters, begin one another, and hold characters above Latin-1 (U+0141 sorts after U+00FF, though
    // its low byte is smaller), so an ordering that looked only at a few leading characters, or one byte of each, would
    // number them otherwise.
    [Fact]
    public void Link_WithoutTimes_NumbersProfilesByValueInOrdinalOrder()
    {
        string[] emails = ["shop-customer-000000001-b", "shop-customer-000000001-a", "shop-customer-00000000", "shop-customer-", "shop-customer-\u0141",
            "shop-customer-\u00ff", "shop-customer-000000001", "shop-customer-1", "shop-customer-10", "shop-customer-9"];
        string[] phones = ["x-12345678-2", "x-12345678-1", "x-1234567", "x-\u00e9", "x-z", "x-", "x-12345678"];
        var graph = new IdentityGraphBuilder(Options);
        foreach (var value in phones.Concat(emails).Reverse())
            graph.Add([new Identifier(emails.Contains(value) ? "email" : "phone", value)], null, "s");

        var numbered = graph.Link().Assignments().OrderBy(a => a.ProfileId, StringComparer.Ordinal).Select(a => a.Identifier.Value).ToArray();

        Assert.Equal([.. emails.Order(StringComparer.Ordinal), .. phones.Order(StringComparer.Ordinal)], numbered);
    }
    [Fact]
    public void Link_ManyNodesInAnyOrder_NumbersProfilesByFirstSeenThenValue()
    {
        // Enough nodes and records for the sorts to take their two-core path (halves sorted apart, then merged), with times that
        // tie across many records so the values decide; a record's email and phone are one profile, numbered by the email
        // (email ranks above phone).
        const int people = 80_000;
        var random = new Random(5);
        var rows = Enumerable.Range(0, people).Select(i => (Email: $"e{random.Next():x8}-{i}", Phone: $"p{i}", Day: 1 + random.Next(20))).ToArray();
        var graph = new IdentityGraphBuilder(Options);
        foreach (var r in rows.OrderBy(_ => random.Next()))
            graph.Add(Ids(r.Email, r.Phone), new DateTime(2026, 1, r.Day), "s");

        var profiles = graph.Link();
        var profileOf = profiles.Assignments().ToDictionary(a => a.Identifier.Value, a => a.ProfileId);

        var expected = rows.OrderBy(r => r.Day).ThenBy(r => r.Email, StringComparer.Ordinal).Select((r, i) => (r, Id: $"p_{i + 1:D9}")).ToArray();
        Assert.All(expected, e => Assert.Equal(e.Id, profileOf[e.r.Email]));
        Assert.All(expected, e => Assert.Equal(e.Id, profileOf[e.r.Phone]));
        // Ranges of the assignments, as the component writes them on several threads, are the whole in pieces.
        var third = profiles.Identifiers / 3;
        var pieces = profiles.Assignments(0, third).Concat(profiles.Assignments(third, profiles.Identifiers))
            .Select(a => $"{a.Identifier.Value}={a.ProfileId}@{a.FirstSeen:O}/{a.LastSeen:O}").ToArray();
        Assert.Equal(Profiles(profiles), pieces);
    }
}
