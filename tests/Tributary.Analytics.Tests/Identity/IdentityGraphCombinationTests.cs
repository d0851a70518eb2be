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
        // e1-p2 breaks the phone cap at first; by its repeat e2 shares p2's profile, so the repeat breaks the email cap and
        // p2 is shared (it joins nobody). Grouped, the repeat is not seen.
        var (rows, combinations) = Both((["e1", "p1"], 1), (["u1", "p2"], 1), (["u1", "p3"], 1), (["e1", "p2"], 1), (["e2", "p3"], 1), (["e1", "p2"], 1));

        var (expected, actual) = (rows.Link(), combinations.Link());

        Assert.False(rows.RepeatsMatter);
        Assert.True(combinations.RepeatsMatter);
        Assert.NotEqual(Profiles(expected), Profiles(actual));
    }
}
