namespace Tributary.Server.Contracts;

/// <summary>Every activation step of the project's pipelines (<c>GET /api/activations</c>), and the pipelines that could not be read.</summary>
/// <param name="Activations">The steps, by pipeline then in file order.</param>
/// <param name="Unreadable">Pipelines that do not load, whose activations cannot be listed until they are fixed.</param>
public sealed record ActivationList(IReadOnlyList<ActivationView> Activations, IReadOnlyList<UnreadablePipeline> Unreadable);

/// <summary>A pipeline file that does not load.</summary>
/// <param name="Pipeline">Its name.</param>
/// <param name="Error">Why, with positions in the file.</param>
public sealed record UnreadablePipeline(string Pipeline, string Error);
