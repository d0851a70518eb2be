namespace Tributary.Engine.Execution;

/// <summary>A run without a partition of a pipeline that needs one; the message names the pipeline and the partition to pass.</summary>
/// <param name="message">What is refused and what to do instead.</param>
public sealed class WholeRunRefusedException(string message) : InvalidOperationException(message);
