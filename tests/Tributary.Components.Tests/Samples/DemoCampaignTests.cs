using System.Globalization;
using Tributary.Components.Samples.DemoStore;
using Tributary.Testing;

namespace Tributary.Components.Tests.Samples;

public sealed class DemoCampaignTests
{
    [Fact]
    public void Write_RandomizedCampaign_FollowsItsRuleInTheTruthAndTheOrders()
    {
        using var d = new TempDirectory();
        DemoStoreGenerator.Write(d.Path, new DemoStoreOptions(Customers: 3000, Days: 365, Seed: 5));
        var truth = File.ReadAllLines(Path.Combine(d.Path, "ground_truth", "campaign.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var sends = File.ReadAllLines(Path.Combine(d.Path, "campaigns", "sends.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(truth.Count, sends.Count);
        Assert.InRange(truth.Count(f => f[2] == "treatment") / (double)truth.Count, 0.45, 0.55);
        Assert.Single(sends.Select(f => f[3]).Distinct());

        // True effects: negative only for do-not-disturb, positive only for persuadable, zero for the unmoved and after dropout.
        double Effect(string[] f) => double.Parse(f[5], CultureInfo.InvariantCulture);
        Assert.All(truth.Where(f => f[3] == "unmoved" || !bool.Parse(f[4])), f => Assert.Equal(0, Effect(f)));
        Assert.All(truth.Where(f => f[3] == "do_not_disturb" && bool.Parse(f[4])), f => Assert.True(Effect(f) < 0));
        Assert.All(truth.Where(f => f[3] == "persuadable" && bool.Parse(f[4])), f => Assert.True(Effect(f) > 0));

        // Observed conversion by arm moves the way the truth says within each segment (with room for sampling noise).
        double Rate(string segment, string arm) => truth.Where(f => f[3] == segment && f[2] == arm && bool.Parse(f[4])).Average(f => bool.Parse(f[6]) ? 1.0 : 0.0);
        Assert.True(Rate("persuadable", "treatment") - Rate("persuadable", "control") > 0.15);
        Assert.True(Rate("do_not_disturb", "treatment") - Rate("do_not_disturb", "control") < -0.1);
        Assert.InRange(Rate("unmoved", "treatment") - Rate("unmoved", "control"), -0.05, 0.05);

        // Extra orders exist only for treated persuadables, one each at most.
        var extra = File.ReadAllLines(Path.Combine(d.Path, "shopify", "orders_export.csv")).Where(l => l.StartsWith("#C", StringComparison.Ordinal)).ToList();
        var treatedPersuadable = truth.Where(f => f[2] == "treatment" && f[3] == "persuadable").Select(f => "#C" + f[0]).ToHashSet();
        Assert.NotEmpty(extra);
        Assert.All(extra, l => Assert.Contains(l.Split(',')[0], treatedPersuadable));
    }
}
