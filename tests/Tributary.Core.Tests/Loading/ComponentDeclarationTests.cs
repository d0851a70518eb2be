using Tributary.Core.Pipelines;
using static Tributary.Core.Tests.Loading.TestPipelines;

namespace Tributary.Core.Tests.Loading;

/// <summary>
/// 'components:' entries, their inputs, checks and partition mappings, and the plan-time column checks: values reach
/// the spec, and each mistake is a positioned diagnostic naming the component.
/// </summary>
public sealed class ComponentDeclarationTests
{
    private const string Orders = "  - { id: orders, type: source.csv, with: { path: o.csv, columns: { customer_id: VARCHAR, ordered_at: DATE, amount: DOUBLE } } }\n";

    [Theory]
    [InlineData("components: { id: a }", "p.yaml:2:13: error TRIB0103: 'components' must be a list, got a mapping.")]
    [InlineData("components: [a]", "p.yaml:2:14: error TRIB0103: a component must be a mapping, got a scalar.")]
    [InlineData("components: [{ type: transform.sql, with: { sql: SELECT 1 } }]", "p.yaml:2:14: error TRIB0101: a component is missing required key 'id'.")]
    [InlineData("components: [{ id: a, with: { sql: SELECT 1 } }]", "p.yaml:2:14: error TRIB0101: component 'a' is missing required key 'type'.")]
    [InlineData("components: [{ id: a, type: transform.sql, with: { sql: SELECT 1 }, input: [b] }]", "p.yaml:2:69: error TRIB0100: unknown key 'input' in component 'a'. Did you mean 'inputs'?")]
    [InlineData("components: [{ id: a__b, type: transform.sql, with: { sql: SELECT 1 } }]", "p.yaml:2:20: error TRIB0110: component id 'a__b' may not contain '__', which marks tables a component writes beside its asset.")]
    [InlineData("components: [{ id: a, type: transform.sql, inputs: [[b]], with: { sql: SELECT 1 } }]", "p.yaml:2:53: error TRIB0103: inputs of component 'a' must be component ids, got a list.")]
    [InlineData("components: [{ id: a, type: transform.sql, inputs: b, with: { sql: SELECT 1 } }]", "p.yaml:2:52: error TRIB0103: 'inputs' of component 'a' must be a list, got a scalar.")]
    public void Component_Mistake_IsReportedWhereItIs(string line, string expected) =>
        Assert.Equal([expected], Problems($"pipeline: p\n{line}\n"));

    [Fact]
    public void Component_WithoutIdAndWithAnUnknownKey_IsCalledAComponent() =>
        Assert.Equal(["p.yaml:2:14: error TRIB0101: a component is missing required key 'id'.",
                "p.yaml:2:37: error TRIB0100: unknown key 'name' in a component. Allowed keys: id, type, description, inputs, with, checks, partition_mapping, pool."],
            Problems("pipeline: p\ncomponents: [{ type: transform.sql, name: a }]\n"));

    [Fact]
    public void Component_ListingItselfAsInput_IsTheOnlyProblemReported() =>
        Assert.Equal(["p.yaml:2:53: error TRIB0203: component 'a' lists itself as an input."],
            Problems("pipeline: p\ncomponents: [{ id: a, type: transform.sql, inputs: [a], with: { sql: SELECT 1 } }]\n"));

    [Fact]
    public void Checks_ValueThatIsNotANumber_IsTheOnlyProblemReported() =>
        Assert.Equal(["p.yaml:6:44: error TRIB0103: 'value' must be a whole number, got 'many'."],
            Problems("pipeline: p\ncomponents:\n  - id: orders\n    type: source.csv\n    with: { path: o.csv, columns: { id: BIGINT } }\n    checks: [{ type: row_count_min, value: many }]\n"));

    [Theory]
    [InlineData("{ type: not_null, column: { id: 1 } }", "'column' must be a list, got a mapping.")]
    [InlineData("{ type: unique, columns: { id: 1 } }", "'columns' must be a list, got a mapping.")]
    [InlineData("{ type: accepted_values, column: id, values: { a: 1 } }", "'values' must be a list, got a mapping.")]
    public void Checks_ListOfTheWrongShape_NamesTheKey(string check, string expected) =>
        Assert.Contains(Problems($"pipeline: p\ncomponents:\n  - id: orders\n    type: source.csv\n    with: {{ path: o.csv, columns: {{ id: BIGINT }} }}\n    checks: [{check}]\n"),
            p => p.EndsWith("error TRIB0103: " + expected, StringComparison.Ordinal));

    [Fact]
    public void PartitionMappings_LastAndIdentity_AreKept()
    {
        var c = Valid("""
            pipeline: p
            partitions: { type: daily, start: 2024-01-01 }
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
              - { id: b, type: transform.sql, with: { sql: SELECT 2 AS v } }
              - { id: c, type: transform.sql, inputs: [a, b], partition_mapping: { a: last, b: identity }, with: { sql: SELECT 3 } }
            """).Components[2];

        Assert.Equal((PartitionMappingKind.Last, PartitionMappingKind.Identity), (c.PartitionMappings["a"].Kind, c.PartitionMappings["b"].Kind));
    }

    [Fact]
    public void Plan_MissingColumnThatTheComponentHintsAbout_GivesTheHint() =>
        Assert.Equal(["p.yaml:4:42: error TRIB0204: input 'orders' has no column 'total', which segment.rfm needs. Set amount_column to a numeric column, or cast it upstream."],
            Problems("pipeline: p\ncomponents:\n" + Orders + "  - { id: s, type: segment.rfm, inputs: [orders], with: { amount_column: total } }\n"));

    [Fact]
    public void Component_MissingComponents_IsReportedAtThePipeline() =>
        Assert.Equal(["p.yaml:1:1: error TRIB0101: the pipeline is missing required key 'components'."], Problems("pipeline: p\n"));

    [Fact]
    public void Component_SecondWithTheSameId_PointsAtTheFirst() =>
        Assert.Equal(["p.yaml:4:11: error TRIB0201: component id 'a' is already used at line 3. Ids name tables, so each must be unique."],
            Problems("pipeline: p\ncomponents:\n  - { id: a, type: transform.sql, with: { sql: SELECT 1 } }\n  - { id: a, type: transform.sql, with: { sql: SELECT 2 } }\n"));

    [Fact]
    public void Component_WrongNumberOfInputs_IsReportedAtItsInputs() =>
        Assert.Equal(["p.yaml:4:40: error TRIB0205: component 'a' (source.csv) takes no inputs, got 1."],
            Problems("pipeline: p\ncomponents:\n" + Orders + "  - { id: a, type: source.csv, inputs: [orders], with: { path: a.csv } }\n"));

    [Fact]
    public void Component_WithThatIsText_SaysWithIsAMapping() =>
        Assert.Equal(["p.yaml:2:50: error TRIB0103: 'with' of component 'a' (transform.sql) must be a mapping, got a scalar."],
            Problems("pipeline: p\ncomponents: [{ id: a, type: transform.sql, with: SELECT }]\n"));

    [Fact]
    public void Checks_Declared_KeepTheirColumnsValuesAndBlocking()
    {
        var checks = Valid("""
            pipeline: p
            components:
              - id: orders
                type: source.csv
                with: { path: o.csv, columns: { id: BIGINT, status: VARCHAR } }
                checks:
                  - { type: unique, columns: [id, status] }
                  - { type: not_null, column: id, blocking: true }
                  - { type: accepted_values, column: status, values: [paid, open] }
                  - { type: row_count_min, value: 5 }
                  - { type: expression, sql: "count(*) > 0" }
            """).Components[0].Checks;

        Assert.Equal([CheckType.Unique, CheckType.NotNull, CheckType.AcceptedValues, CheckType.RowCountMin, CheckType.Expression], checks.Select(c => c.Type));
        Assert.Equal(["id", "status"], checks[0].Columns);
        Assert.Equal((false, true), (checks[0].Blocking, checks[1].Blocking));
        Assert.Equal(["paid", "open"], checks[2].Values);
        Assert.Equal(5, checks[3].Value);
        Assert.Equal("count(*) > 0", checks[4].Sql);
    }

    [Theory]
    [InlineData("{ type: row_count_min }", "p.yaml:6:14: error TRIB0101: check 'row_count_min' is missing required key 'value'.")]
    [InlineData("{ type: not_null }", "p.yaml:6:14: error TRIB0101: check 'not_null' is missing required key 'column'.")]
    [InlineData("{ type: unique }", "p.yaml:6:14: error TRIB0101: check 'unique' is missing required key 'column'.")]
    [InlineData("{ type: accepted_values, column: id }", "p.yaml:6:14: error TRIB0101: check 'accepted_values' is missing required key 'values'.")]
    [InlineData("{ type: expression }", "p.yaml:6:14: error TRIB0101: check 'expression' is missing required key 'sql'.")]
    [InlineData("{ column: id }", "p.yaml:6:14: error TRIB0101: a check is missing required key 'type'.")]
    [InlineData("{ type: not_null, column: id, level: error }", "p.yaml:6:44: error TRIB0100: unknown key 'level' in a check. Allowed keys: type, output, column, columns, value, values, sql, blocking, description.")]
    [InlineData("not_null", "p.yaml:6:14: error TRIB0103: a check must be a mapping, got a scalar.")]
    public void Checks_Mistake_IsReportedAtTheCheck(string check, string expected) =>
        Assert.Equal([expected], Problems($"pipeline: p\ncomponents:\n  - id: orders\n    type: source.csv\n    with: {{ path: o.csv, columns: {{ id: BIGINT }} }}\n    checks: [{check}]\n"));

    [Fact]
    public void Checks_AsAMapping_SaysChecksIsAList() =>
        Assert.Equal(["p.yaml:3:93: error TRIB0103: 'checks' of component 'orders' (source.csv) must be a list, got a mapping."],
            Problems("pipeline: p\ncomponents:\n  - { id: orders, type: source.csv, with: { path: o.csv, columns: { id: BIGINT } }, checks: { type: unique } }\n"));

    [Fact]
    public void PartitionMappings_Declared_AreKeptPerInput()
    {
        var c = Valid("""
            pipeline: p
            partitions: { type: daily, start: 2024-01-01 }
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
              - { id: b, type: transform.sql, with: { sql: SELECT 2 AS v } }
              - { id: c, type: transform.sql, inputs: [a, b], partition_mapping: { a: offset -1, b: all }, with: { sql: SELECT 3 } }
            """).Components[2];

        Assert.Equal(new PartitionMapping(PartitionMappingKind.Offset, -1), c.PartitionMappings["a"]);
        Assert.Equal(PartitionMappingKind.All, c.PartitionMappings["b"].Kind);
    }

    [Theory]
    [InlineData("{ zebra: bogus }", "p.yaml:4:69: error TRIB0202: partition_mapping names 'zebra', which is not an input of component 'c' (transform.sql).")]
    [InlineData("{ a: [last] }", "p.yaml:4:72: error TRIB0105: partition mapping '' of input 'a' is not one of identity, all, last, offset N (e.g. offset -1).")]
    [InlineData("{ a: offset x }", "p.yaml:4:72: error TRIB0105: partition mapping 'offset x' of input 'a' is not one of identity, all, last, offset N (e.g. offset -1).")]
    [InlineData("[a]", "p.yaml:4:67: error TRIB0103: 'partition_mapping' of component 'c' (transform.sql) must be a mapping, got a list.")]
    public void PartitionMappings_Mistake_IsReportedWhereItIs(string mapping, string expected) =>
        Assert.Equal([expected], Problems($"pipeline: p\ncomponents:\n  - {{ id: a, type: transform.sql, with: {{ sql: SELECT 1 }} }}\n  - {{ id: c, type: transform.sql, inputs: [a], partition_mapping: {mapping}, with: {{ sql: SELECT 3 }} }}\n"));

    [Fact]
    public void Plan_ColumnsOfTheRightKinds_PassWhateverKindAnUntypedRequirementFinds() =>
        Assert.Empty(Problems("pipeline: p\ncomponents:\n" + Orders + "  - { id: s, type: segment.rfm, inputs: [orders] }\n"));

    [Fact]
    public void Plan_ColumnOfTheWrongKind_GivesTheComponentsOwnHint() =>
        Assert.Equal(["p.yaml:4:42: error TRIB0204: column 'customer_id' of input 'orders': expected NUMBER or INTEGER, got TEXT. Set amount_column to a numeric column, or cast it upstream."],
            Problems("pipeline: p\ncomponents:\n" + Orders + "  - { id: s, type: segment.rfm, inputs: [orders], with: { amount_column: customer_id } }\n"));

    [Fact]
    public void Plan_MissingColumn_ListsTheInputsColumnsUnlessTheComponentHints() =>
        Assert.Equal(["p.yaml:4:42: error TRIB0204: input 'orders' has no column 'client', which segment.rfm needs. Its columns: customer_id, ordered_at, amount."],
            Problems("pipeline: p\ncomponents:\n" + Orders + "  - { id: s, type: segment.rfm, inputs: [orders], with: { customer_column: client } }\n"));

    [Fact]
    public void Plan_InputWithUnknownColumns_IsNotChecked() =>
        Assert.Empty(Problems("pipeline: p\ncomponents:\n  - { id: t, type: transform.sql, with: { sql: SELECT 1 AS x } }\n  - { id: s, type: segment.rfm, inputs: [t], with: { customer_column: client } }\n"));
}
