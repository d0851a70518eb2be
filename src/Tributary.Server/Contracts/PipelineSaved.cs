namespace Tributary.Server.Contracts;

/// <summary>The answer to saving a pipeline that validates (<c>PUT /api/pipelines/{name}/yaml</c>).</summary>
/// <param name="Saved">The pipeline's name.</param>
/// <param name="Warnings">What the validation warned of (the pipeline is saved all the same), e.g. an asset another pipeline of the project defines otherwise.</param>
public sealed record PipelineSaved(string Saved, IReadOnlyList<DiagnosticView> Warnings);
