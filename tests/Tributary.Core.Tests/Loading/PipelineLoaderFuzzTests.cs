using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Tributary.Components;
using Tributary.Core.Components;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Testing;

namespace Tributary.Core.Tests.Loading;

/// <summary>
/// The loader on hostile input: generated and mutated pipelines (<see cref="FuzzPipelines"/>) and hand-made worst
/// cases. Whatever the text, the loader returns a pipeline or diagnostics that each have a position, never fails
/// inside (TRIB0999 is how a loader exception surfaces), and spends at most 2 s of its thread's CPU time per file
/// (CPU, not wall-clock time: a busy machine must not fail the bound).
/// </summary>
/// <remarks>
/// The fuzz runs for TRIB_FUZZ_SECONDS (default 20) on one thread; TRIB_FUZZ_SEED replays a run, e.g. the seed CsCheck
/// prints with a failure. Run it longer locally:
/// <c>TRIB_FUZZ_SECONDS=120 dotnet test tests/Tributary.Core.Tests -c Release --filter "FullyQualifiedName~PipelineLoaderFuzzTests" --logger "console;verbosity=detailed"</c>.
/// </remarks>
public sealed class PipelineLoaderFuzzTests
{
    // A bound on hostile input, not a speed goal: the shipped pipelines load in milliseconds.
    private static readonly TimeSpan PerFile = TimeSpan.FromSeconds(2);

    private static readonly ComponentCatalog Catalog = BuiltInComponents.CreateCatalog();

    private static readonly LoadOptions Options = new()
    {
        // HOOK_URL is on_failure's, which warns unless it holds a URL.
        Environment = name => name.StartsWith("UNSET", StringComparison.Ordinal) ? null : name == "HOOK_URL" ? "https://hooks.example/x" : "value",
        Time = new FakeTimeProvider(DateTimeOffset.Parse("2025-06-01T00:00:00Z", CultureInfo.InvariantCulture)),
    };

    [Fact]
    public void Load_GeneratedAndMutatedPipelines_ReturnAPipelineOrPositionedDiagnostics()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("TRIB_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 20;
        var seed = Environment.GetEnvironmentVariable("TRIB_FUZZ_SEED");
        long tried = 0, valid = 0;
        var summary = "";

        FuzzPipelines.Files(Catalog).Sample(text =>
        {
            Interlocked.Increment(ref tried);
            if (Check(text)) Interlocked.Increment(ref valid);
        }, writeLine: line => summary = line, seed: seed, time: seconds, threads: 1, print: text => "\n" + text);

        TestContext.Current.TestOutputHelper?.WriteLine($"fuzz: {tried} files in {seconds} s, {valid} of them valid pipelines. {summary}");
        Assert.True(tried > 0);
    }

    // Whether the generator makes valid pipelines at all is asked of a fixed stream of files, not of the timed run above:
    // under 1% of files are valid, so a slow machine's few hundred files in 20 s could hold none (it happened at load 70).
    [Fact]
    public void Files_OnAFixedStream_IncludeValidPipelines()
    {
        var generator = FuzzPipelines.Files(Catalog);
        var random = new PCG(17, 2026);
        var valid = 0;
        for (var i = 0; i < 1000; i++)
            if (Check(generator.Generate(random, null, out _))) valid++;
        TestContext.Current.TestOutputHelper?.WriteLine($"{valid} of 1000 generated files were valid pipelines");
        Assert.True(valid > 0, $"{valid} of 1000 generated files were valid pipelines: the fuzz would mostly test the first error");
    }

    public static TheoryData<string> WorstCases() =>
    [
        "[[[[ x 200000", "{a: x 100000", "- x 60000", "billion laughs", "chain of 1000 components", "2000 unknown inputs", "5000 columns checked",
        "long ids", "9000 unknown keys", "1 MiB scalar", "10000 bad components", "deep block mapping", "500 KB key repeated by alias",
    ];

    [Theory]
    [MemberData(nameof(WorstCases))]
    public void Load_WorstCase_ReturnsPositionedDiagnosticsWithinTheBound(string name)
    {
        _ = Check(WorstCase(name));
    }

    // True for a valid pipeline; fails the property on anything else than a pipeline or positioned diagnostics in time.
    private static bool Check(string text)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var (result, cpu) = Timed(text);
        // A slow first try may be the JIT; a slow second try is the input.
        if (cpu > PerFile) (result, cpu) = Timed(text);
        if (cpu > PerFile) throw new TimeoutException($"loading took {cpu.TotalSeconds:0.00} CPU s, over the bound of {PerFile.TotalSeconds} s");
        // Memory is bounded too: no more than a few hundred times the text (the tree, the messages, the JIT's first use).
        var megabytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1e6;
        if (megabytes > 200 + text.Length * 200 / 1e6) throw new InsufficientMemoryException($"loading allocated {megabytes:0} MB for {text.Length} characters");
        // YAML also breaks lines at \r, NEL and the Unicode separators; this counts \r\n twice, an upper bound.
        var lines = text.Count(c => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029') + 1;
        foreach (var d in result.Diagnostics)
        {
            if (d.Code == DiagnosticCodes.InternalError) throw new InvalidOperationException($"the loader failed inside: {d}");
            if (d.Location.File != "fuzz.yaml" || d.Location.Line < 1 || d.Location.Line > lines + 1 || d.Location.Column < 1)
                throw new InvalidOperationException($"diagnostic without a position in the file: {d}");
            if (d.Message.Contains("Exception", StringComparison.Ordinal) || d.Message.Contains("System.", StringComparison.Ordinal))
                throw new InvalidOperationException($"diagnostic with exception text: {d}");
        }
        // Warnings (an environment variable a pipeline names that is not set here) come beside a pipeline; errors instead of one.
        if (result.Diagnostics.All(d => d.IsWarning) != result.Pipeline is not null)
            throw new InvalidOperationException($"a result must have a pipeline or errors, not both or neither ({result.Diagnostics.Count(d => !d.IsWarning)} errors)");
        return result.Succeeded;
    }

    private static (LoadResult Result, TimeSpan Cpu) Timed(string text) =>
        ThreadCpuClock.Measure(() => new PipelineLoader(Catalog).Load(text, "fuzz.yaml", Options));

    private static string WorstCase(string name)
    {
        var sb = new StringBuilder("pipeline: worst\ncomponents:\n");
        switch (name)
        {
            case "[[[[ x 200000": return new string('[', 200_000);
            case "{a: x 100000": return string.Concat(Enumerable.Repeat("{a: ", 100_000));
            case "- x 60000": return string.Concat(Enumerable.Range(0, 60_000).Select(i => new string(' ', i % 20) + "-\n"));
            case "billion laughs":
                sb.Clear().Append("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
                for (var i = 1; i < 10; i++) sb.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
                return sb.Append("pipeline: lol\ncomponents: [*a9]\n").ToString();
            case "chain of 1000 components":
                for (var i = 0; i < 1000; i++)
                    sb.Append(i == 0 ? "  - { id: c0, type: source.csv, with: { path: a.csv } }\n" : $"  - {{ id: c{i}, type: transform.sql, inputs: [c{i - 1}], with: {{ sql: SELECT 1 }} }}\n");
                return sb.ToString();
            case "2000 unknown inputs":
                for (var i = 0; i < 2000; i++) sb.Append($"  - {{ id: c{i}, type: transform.sql, inputs: [d{i}], with: {{ sql: SELECT 1 }} }}\n");
                return sb.ToString();
            case "5000 columns checked":
                var columns = Enumerable.Range(0, 5000).Select(i => $"col_{i}").ToList();
                return sb.Append($"  - id: c0\n    type: source.csv\n    with: {{ path: a.csv, columns: {{ {string.Join(", ", columns.Select(c => c + ": VARCHAR"))} }} }}\n")
                    .Append($"    checks: [{{ type: unique, columns: [{string.Join(", ", columns.Select(c => c + "x"))}] }}]\n").ToString();
            case "long ids":
                for (var i = 0; i < 4; i++)
                    sb.Append($"  - {{ id: {new string((char)('a' + i), 100_000)}, type: transform.sql, inputs: [{new string((char)('b' + i), 100_000)}], with: {{ sql: SELECT 1 }} }}\n");
                return sb.ToString();
            case "9000 unknown keys":
                return sb.Insert(0, string.Concat(Enumerable.Range(0, 9_000).Select(i => $"key_{i}: {i}\n"))).Append("  - { id: c0, type: source.csv, with: { path: a.csv } }\n").ToString();
            case "1 MiB scalar":
                return sb.Append("  - { id: c0, type: transform.sql, with: { sql: \"").Append('x', 1_048_000).Append("\" } }\n").ToString();
            case "10000 bad components":
                for (var i = 0; i < 10_000; i++) sb.Append($"  - {{ id: C{i % 50}, type: nope.{i} }}\n");
                return sb.ToString();
            case "500 KB key repeated by alias":
                // Every repetition is a duplicate key whose message would quote 500 KB.
                sb.Clear().Append("description: &k ").Append('k', 500_000).Append("\nsettings:\n");
                for (var i = 0; i < 5000; i++) sb.Append("  *k : ").Append(i).Append('\n');
                return sb.Append("pipeline: p\ncomponents: [*k]\n").ToString();
            case "deep block mapping":
                for (var i = 0; i < 200; i++) sb.Append(new string(' ', i + 2)).Append("k:\n");
                return sb.ToString();
            default: throw new UnreachableException(name);
        }
    }
}
