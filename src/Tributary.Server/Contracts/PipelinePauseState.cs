namespace Tributary.Server.Contracts;

/// <summary>Whether a pipeline's schedule and sensors are paused, after a pause or resume.</summary>
/// <param name="Name">The pipeline.</param>
/// <param name="Paused">True when paused.</param>
public sealed record PipelinePauseState(string Name, bool Paused);
