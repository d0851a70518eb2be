using Tributary.Analytics.Identity;

namespace Tributary.Analytics.Tests.Identity;

public sealed class IdentityGraphTests
{
    private static readonly IdentityOptions Options = new(
        new Dictionary<string, int> { ["user_id"] = 1, ["anonymous_id"] = 50 }, ["user_id", "email", "anonymous_id"]);

    private static IdentityRecord R(params (string Type, string Value)[] ids) => new(ids.Select(i => new Identifier(i.Type, i.Value)).ToList(), null, "test");

    private static Dictionary<string, string> Profiles(IdentityResolution r) => r.Assignments.ToDictionary(a => a.Identifier.Value, a => a.ProfileId);

    [Fact]
    public void Resolve_TransitiveLinks_FormOneProfile()
    {
        var r = IdentityGraph.Resolve([R(("user_id", "u1"), ("email", "a@x")), R(("email", "a@x"), ("anonymous_id", "d1")), R(("anonymous_id", "d2"))], Options);
        var p = Profiles(r);
        Assert.Equal(p["u1"], p["d1"]);
        Assert.NotEqual(p["u1"], p["d2"]);
        Assert.Equal(2, r.Profiles);
    }

    [Fact]
    public void Resolve_KioskSeenByManyUsers_JoinsNoneOfThem()
    {
        var records = Enumerable.Range(1, 30).Select(i => R(("user_id", $"u{i}"), ("anonymous_id", "kiosk"))).ToList();

        var r = IdentityGraph.Resolve(records, Options);

        Assert.Equal(31, r.Profiles);
        Assert.Equal(30, r.Refused.Count);
        Assert.All(r.Refused, x => Assert.Equal("anonymous_id 'kiosk' is shared: it links more than 1 user_id value(s), so it joins none of their profiles", x.Reason));
    }

    [Fact]
    public void Resolve_DeviceSeenFirstAndMostWithOneUser_IsStillNotKeptByThem()
    {
        var r = IdentityGraph.Resolve([.. Enumerable.Repeat(R(("user_id", "u1"), ("anonymous_id", "tablet")), 5), R(("user_id", "u2"), ("anonymous_id", "tablet")),
            R(("user_id", "u1"), ("anonymous_id", "phone-1"))], Options);

        var p = Profiles(r);
        Assert.Equal(p["u1"], p["phone-1"]);
        Assert.NotEqual(p["u1"], p["tablet"]);
        Assert.NotEqual(p["u2"], p["tablet"]);
        Assert.NotEqual(p["u1"], p["u2"]);
    }

    [Fact]
    public void Resolve_SharedDeviceStrongestInARecord_OtherIdentifiersOfThatRecordStayLinked()
    {
        var options = new IdentityOptions(new Dictionary<string, int> { ["user_id"] = 1 }, ["user_id", "anonymous_id", "ip"]);
        var r = IdentityGraph.Resolve([R(("user_id", "u1"), ("anonymous_id", "kiosk")), R(("user_id", "u2"), ("anonymous_id", "kiosk")),
            R(("anonymous_id", "kiosk"), ("ip", "10.0.0.1"), ("ip", "10.0.0.2"))], options);

        var p = Profiles(r);
        Assert.Equal(p["10.0.0.1"], p["10.0.0.2"]);
        Assert.NotEqual(p["kiosk"], p["10.0.0.1"]);
        Assert.Equal(4, r.Profiles);
    }

    [Fact]
    public void Resolve_MorePhonesThanTheCap_KeepsTheFirstOnesAndRefusesTheRest()
    {
        // A person with many phones is not a shared phone: the cap keeps the first three, as before.
        var options = new IdentityOptions(new Dictionary<string, int> { ["user_id"] = 1, ["phone"] = 3 }, ["user_id", "email", "phone"]);
        var r = IdentityGraph.Resolve(Enumerable.Range(1, 4).Select(i => R(("email", "a@x"), ("phone", $"+1415555010{i}"))).ToList(), options);

        var p = Profiles(r);
        Assert.Equal(2, r.Profiles);
        Assert.Equal(p["a@x"], p["+14155550103"]);
        Assert.NotEqual(p["a@x"], p["+14155550104"]);
        Assert.Equal("would put more than 3 phone value(s) in one profile", Assert.Single(r.Refused).Reason);
    }

    [Fact]
    public void Resolve_StrongLinksFirst_WeakLinkYieldsUnderTheCap()
    {
        // The shared device is seen with u1 first in the data, but u2's email link is stronger and applied first.
        var r = IdentityGraph.Resolve([R(("user_id", "u1"), ("anonymous_id", "tablet")), R(("user_id", "u2"), ("email", "b@x")), R(("email", "b@x"), ("anonymous_id", "tablet"))], Options);
        var p = Profiles(r);
        Assert.Equal(p["u2"], p["b@x"]);
        Assert.NotEqual(p["u1"], p["u2"]);
    }

    [Fact]
    public void Resolve_WithPreviousIds_KeepsTheOlderIdAndLogsTheMerge()
    {
        var previous = new Dictionary<Identifier, string> { [new("email", "a@x")] = "p_000000007", [new("user_id", "u1")] = "p_000000003" };
        var r = IdentityGraph.Resolve([R(("user_id", "u1"), ("email", "a@x")), R(("email", "new@x"))], Options, previous);
        var p = Profiles(r);
        Assert.Equal("p_000000003", p["a@x"]);
        Assert.Equal("p_000000008", p["new@x"]);
        Assert.Equal(new ProfileMerge("p_000000003", "p_000000007"), Assert.Single(r.Merges));
    }

    [Fact]
    public void Resolve_PreviousIdOfAnIdentifierNoLongerSeen_NewIdsStillStartAfterIt()
    {
        var previous = new Dictionary<Identifier, string> { [new("email", "a@x")] = "p_000000002", [new("email", "gone@x")] = "p_000000009" };
        var r = IdentityGraph.Resolve([R(("user_id", "u1"), ("email", "a@x")), R(("email", "new@x"))], Options, previous);
        var p = Profiles(r);
        Assert.Equal("p_000000002", p["u1"]);
        Assert.Equal("p_000000010", p["new@x"]);
        Assert.Empty(r.Merges);
    }

    [Fact]
    public void Builder_UnusableIdentifiers_AreLeftOutAndAskedAboutOnce()
    {
        var asked = new List<string>();
        var graph = new IdentityGraphBuilder(Options, id =>
        {
            asked.Add(id.Value);
            return id.Value != "kiosk";
        });
        foreach (var user in new[] { "u1", "u2", "u1" })
            graph.Add([new Identifier("user_id", user), new Identifier("anonymous_id", "kiosk")], new DateTime(2025, 1, 1), "events");

        var r = graph.Resolve();

        Assert.Equal(["u1", "kiosk", "u2"], asked);
        Assert.Equal(["u1", "u2"], r.Assignments.Select(a => a.Identifier.Value).ToArray());
        Assert.Equal(2, r.Profiles);
        Assert.Equal(3, graph.Records);
        Assert.Empty(r.Refused);
    }

    [Fact]
    public void Link_AssignmentsInOrderOfFirstSight_WithFirstAndLastSeenAndSource()
    {
        var graph = new IdentityGraphBuilder(Options);
        graph.Add([new Identifier("email", "a@x"), new Identifier("user_id", "u1")], new DateTime(2025, 3, 1), "orders");
        graph.Add([new Identifier("anonymous_id", "d1"), new Identifier("email", "a@x")], new DateTime(2025, 1, 1), "events");
        graph.Add([new Identifier("email", "b@x")], null, "events");

        var profiles = graph.Link();
        var a = profiles.Assignments().ToList();

        Assert.Equal(2, profiles.Count);
        Assert.Equal(4, profiles.Identifiers);
        Assert.Equal(["a@x", "u1", "d1", "b@x"], a.Select(x => x.Identifier.Value).ToArray());
        Assert.Equal(["p_000000001", "p_000000001", "p_000000001", "p_000000002"], a.Select(x => x.ProfileId).ToArray());
        Assert.Equal((new DateTime(2025, 1, 1), new DateTime(2025, 3, 1), "orders"), (a[0].FirstSeen, a[0].LastSeen, a[0].Source));
        Assert.Equal((null, null, "events"), (a[3].FirstSeen, a[3].LastSeen, a[3].Source));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6_000)]
    [InlineData(1_000_000)]
    public void Builder_SizedForFewerOrMoreIdentifiers_LinksAsAnUnsizedOne(int expected)
    {
        // 2,000 people, each seen with a user id, an email and two devices over three records: 8,000 identifiers, so a
        // builder sized for fewer grows its arrays and tables past their first size.
        static void AddAll(IdentityGraphBuilder graph)
        {
            for (var p = 0; p < 2_000; p++)
            {
                graph.Add([new Identifier("user_id", $"u{p}"), new Identifier("anonymous_id", $"d{p}-a")], new DateTime(2025, 1, 1).AddMinutes(p), "events");
                graph.Add([new Identifier("email", $"person{p}@example.com"), new Identifier("anonymous_id", $"d{p}-a")], null, "orders");
                graph.Add([new Identifier("anonymous_id", $"d{p}-b"), new Identifier("email", $"person{p}@example.com")], new DateTime(2025, 2, 1), "events");
            }
        }
        var unsized = new IdentityGraphBuilder(Options);
        var sized = new IdentityGraphBuilder(Options, null, expected);
        AddAll(unsized);
        AddAll(sized);

        var want = unsized.Link().Assignments().ToList();
        var got = sized.Link().Assignments().ToList();

        Assert.Equal(8_000, got.Count);
        Assert.Equal(want, got);
        Assert.Equal(2_000, got.Select(a => a.ProfileId).Distinct().Count());
    }

    // People seen with a user id, an email and devices, some shared: a kiosk with many users (refused), blocked values.
    private static List<(Identifier[] Ids, DateTime? At, string Source)> SharedRecords()
    {
        var records = new List<(Identifier[], DateTime?, string)>();
        for (var p = 0; p < 3_000; p++)
        {
            records.Add(([new("user_id", $"u{p}"), new("anonymous_id", $"d{p}-a")], new DateTime(2025, 1, 1).AddMinutes(p % 700), "events"));
            records.Add(([new("email", $"person{p}@example.com"), new("anonymous_id", $"d{p}-a"), new("anonymous_id", "blocked")], null, "orders"));
            records.Add(([new("anonymous_id", p % 100 == 0 ? "kiosk" : $"d{p}-b"), new("user_id", $"u{p}")], new DateTime(2025, 2, 1), "events"));
        }
        return records;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Builder_InternedInPartsOnSeveralThreads_LinksAsOneThatAddsEachRecord(int parts)
    {
        var records = SharedRecords();
        var asked = new List<string>();
        var one = new IdentityGraphBuilder(Options, id => id.Value != "blocked");
        foreach (var (ids, at, source) in records) one.Add(ids, at, at, source, 1);
        var split = new IdentityGraphBuilder(Options, id =>
        {
            asked.Add(id.Value);
            return id.Value != "blocked";
        }, 0, parts);
        var types = records.Select(r => r.Ids.Select(i => split.TypeNumber(i.Type)).ToArray()).ToList();
        var hashes = records.Select((r, k) => r.Ids.Select((i, j) => IdentityGraphBuilder.Hash(types[k][j], i.Value)).ToArray()).ToList();
        var keys = records.Select(r => new int[r.Ids.Length]).ToList();

        // Each part interns its identifiers of every record on its own thread, as identity.resolve's read does.
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            for (var k = 0; k < records.Count; k++)
                for (var j = 0; j < records[k].Ids.Length; j++)
                    if (split.PartOf(hashes[k][j]) == part) keys[k][j] = split.Intern(types[k][j], records[k].Ids[j].Value, hashes[k][j]);
        });
        for (var k = 0; k < records.Count; k++) split.AddInterned(records[k].Ids, types[k], keys[k], records[k].At, records[k].At, records[k].Source, 1);
        split.AddPrevious("email", "person7@example.com", "p_000000042");
        one.AddPrevious("email", "person7@example.com", "p_000000042");

        var (want, got) = (one.Link(), split.Link());

        Assert.Equal(parts, split.Parts);
        Assert.Equal(want.Assignments().ToList(), got.Assignments().ToList());
        Assert.Equal(want.Refused, got.Refused);
        Assert.Equal(30, got.Refused.Count(r => r.To.Value == "kiosk"));
        Assert.DoesNotContain(got.Assignments(), a => a.Identifier.Value == "blocked");
        // Each distinct identifier is asked about once, in order of first sight.
        Assert.Equal(records.SelectMany(r => r.Ids).Select(i => i.Value).Distinct().ToList(), asked);
    }

    [Fact]
    public void Builder_RecordsAddedInAnotherOrderThanInterned_Throws()
    {
        var graph = new IdentityGraphBuilder(Options, null, 0, 2);
        var type = graph.TypeNumber("email");
        var (a, b) = ("a@x", Enumerable.Range(0, 100).Select(i => $"b{i}@x").First(v => graph.PartOf(IdentityGraphBuilder.Hash(type, v)) == graph.PartOf(IdentityGraphBuilder.Hash(type, "a@x"))));
        var keyA = graph.Intern(type, a, IdentityGraphBuilder.Hash(type, a));
        var keyB = graph.Intern(type, b, IdentityGraphBuilder.Hash(type, b));

        Assert.Throws<InvalidOperationException>(() => graph.AddInterned([new Identifier("email", b)], [type], [keyB], null, null, "test", 1));
        graph.AddInterned([new Identifier("email", a)], [type], [keyA], null, null, "test", 1);
        graph.AddInterned([new Identifier("email", b)], [type], [keyB], null, null, "test", 1);
        Assert.Equal(2, graph.Link().Identifiers);
    }

    [Fact]
    public void Link_ManyIdentifiersWithoutTimes_NumbersProfilesByValueInOrdinalOrderAcrossChunks()
    {
        // Enough identifiers for the link's passes to run in chunks (split at the middle, among other places): the values share
        // "user" in all but "userA-" or "userC-" within each half, and the last has a character over U+00FF where the sort
        // packs values.
        var values = Enumerable.Range(0, 70_000).Select(i => $"user{(i < 35_000 ? 'A' : 'C')}-{i % 35_000:D6}@x").Append("userC\u0100").ToList();
        var graph = new IdentityGraphBuilder(Options);
        foreach (var value in values) graph.Add([new Identifier("email", value)], null, "test");

        var assignments = graph.Link().Assignments().OrderBy(a => a.ProfileId, StringComparer.Ordinal).Select(a => a.Identifier.Value).ToList();

        Assert.Equal(values.Order(StringComparer.Ordinal), assignments);
    }
}
