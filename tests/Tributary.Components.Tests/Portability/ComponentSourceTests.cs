using Tributary.Testing;

namespace Tributary.Components.Tests.Portability;

/// <summary>No engine-specific SQL in the components' source: engines differ only in Tributary.Warehouse's dialects.</summary>
public sealed class ComponentSourceTests
{
    [Fact]
    public void ComponentSources_HoldNoEngineSpecificSql()
    {
        var folder = Path.Combine(RepositoryFiles.Root, "src", "Tributary.Components");
        var findings = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                // Comments may name what they avoid; parameter descriptions show users ${param.*} and ${env.*}.
                var code = lines[i].TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith("[Description(", StringComparison.Ordinal)) continue;
                foreach (var what in EngineSpecificSql.Find(lines[i]))
                    findings.Add($"{Path.GetRelativePath(RepositoryFiles.Root, file)}:{i + 1}: {what}: {code}");
            }
        }
        Assert.True(findings.Count == 0, "engine-specific SQL belongs in a dialect (ISqlDialect / SqlBuilder), not in a component:\n" + string.Join("\n", findings));
    }

    [Fact]
    public void EngineSpecificSql_FindsEachKindItLists()
    {
        Assert.NotEmpty(EngineSpecificSql.Find("regexp_replace(phone, '[^0-9]', '', 'g')"));
        Assert.NotEmpty(EngineSpecificSql.Find("started_at >= x - INTERVAL '7 days'"));
        Assert.NotEmpty(EngineSpecificSql.Find("WHERE model = $1"));
        Assert.NotEmpty(EngineSpecificSql.Find("THEN CAST(${args.Count} AS VARCHAR)"));
        Assert.NotEmpty(EngineSpecificSql.Find("SELECT amount::numeric"));
        Assert.NotEmpty(EngineSpecificSql.Find("CAST(x AS DOUBLE) AS y"));
        Assert.Empty(EngineSpecificSql.Find("CAST(x AS DOUBLE PRECISION), global::System.String, '${param.region}'"));
    }
}
