using Tributary.Core.Diagnostics;
using Tributary.Core.Pipelines;
using Tributary.Core.Yaml;

namespace Tributary.Core.Loading;

/// <summary>The outcome of loading a pipeline: the spec when valid, and every problem found.</summary>
public sealed record LoadResult(PipelineSpec? Pipeline, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>The <c>pipeline:</c> name the text declares and where, also when it has other errors; null when it declares none.</summary>
    public YamlScalar? DeclaredName { get; init; }

    /// <summary>True when the file is valid (it may carry warnings).</summary>
    public bool Succeeded => Pipeline is not null && Diagnostics.All(d => d.IsWarning);

    /// <summary>The spec, or a <see cref="PipelineException"/> carrying every problem.</summary>
    public PipelineSpec GetPipelineOrThrow() => Succeeded ? Pipeline! : throw new PipelineException(Diagnostics);
}
