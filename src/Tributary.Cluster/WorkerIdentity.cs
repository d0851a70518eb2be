namespace Tributary.Cluster;

/// <summary>This worker's name in the attempts it records (<c>worker-HOST-PORT</c> unless given).</summary>
/// <param name="Name">The name.</param>
public sealed record WorkerIdentity(string Name);
