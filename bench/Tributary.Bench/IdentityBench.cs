using System.Diagnostics;
using Tributary.Analytics.Identity;

namespace Tributary.Bench;

/// <summary>Identity resolution over N identifier links (records of 4 identifiers = 3 links each) in memory.</summary>
internal static class IdentityBench
{
    public static void Run(int links)
    {
        var people = links / 9; // each person: 3 records x 3 links
        var random = new Random(3);
        var records = new List<IdentityRecord>(links / 3);
        for (var p = 0; p < people; p++)
        {
            var user = new Identifier("user_id", $"u{p}");
            var email = new Identifier("email", $"person{p}@example.com");
            var phone = new Identifier("phone", $"+1415{p:D7}");
            for (var r = 0; r < 3; r++)
            {
                var device = new Identifier("anonymous_id", r == 2 && random.NextDouble() < 0.01 ? "kiosk-1" : $"anon-{p}-{r}");
                records.Add(new IdentityRecord([user, email, phone, device], null, "bench"));
            }
        }
        var options = new IdentityOptions(new Dictionary<string, int> { ["user_id"] = 1, ["email"] = 3, ["phone"] = 3, ["anonymous_id"] = 50 },
            ["user_id", "email", "phone", "anonymous_id"]);
        var watch = Stopwatch.StartNew();
        var result = IdentityGraph.Resolve(records, options);
        Console.WriteLine($"identity: {records.Count * 3:N0} links in {records.Count:N0} records, {result.Assignments.Count:N0} identifiers -> {result.Profiles:N0} profiles " +
            $"({result.Refused.Count:N0} links refused by caps) in {watch.Elapsed.TotalSeconds:0.00}s");
    }
}
