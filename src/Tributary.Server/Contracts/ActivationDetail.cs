namespace Tributary.Server.Contracts;

/// <summary>One activation step with its recent runs and the tables and files it wrote (<c>GET /api/activations/{pipeline}/{step}</c>).</summary>
/// <param name="Activation">The step.</param>
/// <param name="Runs">Its recent runs, newest first.</param>
/// <param name="DeliveryLog">The webhook's delivery log table (one row per batch of its latest run), pageable at <c>/api/assets/{name}</c>; null for a file or before it exists.</param>
/// <param name="DeadLetters">The webhook's dead-letter table (batches not delivered, kept dead_letter_days, each with its run_id); null for a file or before one failed.</param>
/// <param name="Files">The files its latest successful run wrote, relative to the project; download one at <c>/api/activations/{pipeline}/{step}/files/{index}</c>.</param>
public sealed record ActivationDetail(ActivationView Activation, IReadOnlyList<ActivationRunView> Runs, string? DeliveryLog, string? DeadLetters, IReadOnlyList<string> Files);
