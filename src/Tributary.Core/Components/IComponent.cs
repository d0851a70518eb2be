namespace Tributary.Core.Components;

/// <summary>
/// A component type: a parameters record plus a plan step (no I/O) and a materialize step that writes the
/// component's asset atomically. Instances are stateless and shared between runs.
/// </summary>
/// <typeparam name="TParameters">The sealed parameters record; its attributes give the JSON Schema.</typeparam>
public interface IComponent<TParameters> where TParameters : class
{
    /// <summary>The type name used in YAML, <c>category.name</c>.</summary>
    static abstract string TypeName { get; }

    /// <summary>One line saying what the component does.</summary>
    static abstract string Description { get; }

    /// <summary>How many inputs the component takes.</summary>
    static abstract InputArity Inputs { get; }

    /// <summary>
    /// Whether what the component writes depends on the project's reporting zone (<see cref="ComponentContext.TimeZone"/>):
    /// its days, or the instants of times read without an offset. A change of the zone then changes its definition
    /// fingerprint, so tables built in the old zone count as stale. Default false.
    /// </summary>
    static virtual bool ReadsTimeZone => false;

    /// <summary>Declares output columns and the input columns needed, from schemas alone. Throws <see cref="PlanException"/> for a mistake in the parameters.</summary>
    ComponentPlan Plan(TParameters parameters, PlanContext context);

    /// <summary>Reads the inputs, computes, writes the asset atomically and reports what it wrote.</summary>
    Task<Materialization> MaterializeAsync(TParameters parameters, ComponentContext context, CancellationToken cancellationToken);
}

/// <summary>Allowed number of inputs.</summary>
public readonly record struct InputArity(int Min, int Max)
{
    /// <summary>No inputs (sources).</summary>
    public static InputArity None => new(0, 0);
    /// <summary>Exactly one.</summary>
    public static InputArity One => new(1, 1);
    /// <summary>Any number, including none.</summary>
    public static InputArity Any => new(0, int.MaxValue);
    /// <summary>At least one.</summary>
    public static InputArity AtLeastOne => new(1, int.MaxValue);

    /// <summary>"exactly 1", "at least 1", "no"...</summary>
    public override string ToString() =>
        Max == 0 ? "no inputs" : Min == Max ? $"exactly {Min} input{(Min == 1 ? "" : "s")}" :
        Max == int.MaxValue ? $"at least {Min} input{(Min == 1 ? "" : "s")}" : $"{Min} to {Max} inputs";
}
