using Tributary.Core.Warehousing;

namespace Tributary.Core.Components;

/// <summary>What a component declares before any data is read (DuckDB's Bind, ML.NET's GetOutputSchema).</summary>
/// <param name="Output">Columns of the produced asset, or null when known only after running.</param>
/// <param name="Requires">Columns the component needs in its inputs.</param>
public sealed record ComponentPlan(TableSchema? Output, IReadOnlyList<ColumnRequirement> Requires)
{
    /// <summary>Nothing known ahead of the run, nothing required.</summary>
    public static ComponentPlan Unknown { get; } = new(null, []);

    /// <summary>
    /// Tables the component writes besides its declared outputs (e.g. the target of a
    /// sync). The loader refuses a pipeline where such a table is another component's asset or is written twice.
    /// </summary>
    public IReadOnlyList<string> Writes { get; init; } = [];

    /// <summary>False when the asset is not a table (an export writes a file): checks cannot run on it.</summary>
    public bool HasTable { get; init; } = true;

    /// <summary>
    /// Every table the component writes beside its asset, each named once (a-z, 0-9 and single underscores) with its role;
    /// the component finds their tables with <see cref="ComponentContext.Output"/>, never by building names.
    /// </summary>
    public IReadOnlyList<DeclaredOutput> SideOutputs { get; init; } = [];

    /// <summary>One line saying what a row of the asset is; the component type's description when not set.</summary>
    public string? MainDescription { get; init; }

    /// <summary>Every table of step <paramref name="asset"/>: the main asset first (when it is a table), then the side outputs.</summary>
    public IReadOnlyList<StepOutput> OutputsOf(string asset)
    {
        var main = HasTable ? [new StepOutput(asset, new DeclaredOutput(DeclaredOutput.MainName, OutputRole.Main, MainDescription ?? "", Output), asset)] : new List<StepOutput>();
        return [.. main, .. SideOutputs.Select(o => new StepOutput(asset, o, OutputTables.Of(asset, o.Name)))];
    }
}

/// <summary>A column an input table must have; <paramref name="Kinds"/> empty means any type.</summary>
public sealed record ColumnRequirement(int InputIndex, string Column, IReadOnlyList<DataKind> Kinds, string? Hint = null);

/// <summary>The component's own asset id, and its inputs as the planner sees them: id and, when known, schema.</summary>
public sealed record PlanContext(string Asset, IReadOnlyList<PlannedInput> Inputs)
{
    /// <summary>
    /// What describes a query's result over the inputs without data, when the caller checks SQL before a run
    /// (<c>trib validate</c>, the designer); null when the plan is made for a run, where the SQL meets the real tables.
    /// </summary>
    public IQueryDescriber? Queries { get; init; }
}

/// <summary>An input of a component at plan time.</summary>
public sealed record PlannedInput(string Id, TableSchema? Schema);
