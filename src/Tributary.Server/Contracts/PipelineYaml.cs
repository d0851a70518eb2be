namespace Tributary.Server.Contracts;

/// <summary>A pipeline's YAML text: read, validated or saved by the designer.</summary>
/// <param name="Yaml">The text.</param>
public sealed record PipelineYaml(string Yaml);
