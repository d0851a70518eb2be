using Tributary.Core.Warehousing;

namespace Tributary.Core.Components;

/// <summary>A table a component declares in its plan: the main asset or a side table beside it.</summary>
/// <param name="Name">The output's name within its step (<c>main</c>, <c>model</c>, <c>rejected</c>…); checks name it with <c>output:</c>.</param>
/// <param name="Role">What the table is for.</param>
/// <param name="Description">One line saying what a row of it is.</param>
/// <param name="Columns">Its columns when known before the run, else null.</param>
public sealed record DeclaredOutput(string Name, OutputRole Role, string Description, TableSchema? Columns = null)
{
    /// <summary>The name of the main output, the step's asset itself.</summary>
    public const string MainName = "main";
}

/// <summary>A declared output resolved to the table that holds it for one step.</summary>
/// <param name="Step">The component id that writes it.</param>
/// <param name="Output">The declaration.</param>
/// <param name="Table">The physical table name (<see cref="OutputTables.Of"/>).</param>
public sealed record StepOutput(string Step, DeclaredOutput Output, string Table);
