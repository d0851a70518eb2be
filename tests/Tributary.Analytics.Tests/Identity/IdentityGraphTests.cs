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
    public void Resolve_KioskSeenByManyUsers_NeverMergesThem()
    {
        var records = Enumerable.Range(1, 30).Select(i => R(("user_id", $"u{i}"), ("anonymous_id", "kiosk"))).ToList();

        var r = IdentityGraph.Resolve(records, Options);

        Assert.Equal(30, r.Profiles);
        Assert.Equal(29, r.Refused.Count);
        Assert.All(r.Refused, x => Assert.Equal("would put more than 1 user_id value(s) in one profile", x.Reason));
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
}
