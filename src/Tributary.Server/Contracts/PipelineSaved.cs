namespace Tributary.Server.Contracts;

/// <summary>The answer to saving a pipeline that validates (<c>PUT /api/pipelines/{name}/yaml</c>).</summary>
/// <param name="Saved">The pipeline's name.</param>
public sealed record PipelineSaved(string Saved);
