using Tributary.Engine.Runs;

namespace Tributary.Server.Contracts;

/// <summary>One activation step of a pipeline (<c>activate.audience_file</c>, <c>activate.customer_feed</c>, <c>activate.webhook</c>, <c>activate.table</c>): where it sends, to whom, when, and how its last run went.</summary>
/// <param name="Pipeline">The pipeline the step is in.</param>
/// <param name="Step">The step's id (its asset: the audience table or the webhook's delivery log).</param>
/// <param name="Type">The component type.</param>
/// <param name="Destination">Where it sends, as the pipeline file writes it: a file path (with <c>{segment}</c> when one file per segment), a webhook URL, or a table sync's target table; <c>${env.NAME}</c> is kept as written, never its value, and a URL's query-string values and user info are masked as <c>***</c>.</param>
/// <param name="DestinationKind"><c>file</c> (a path in the project), <c>url</c> (a webhook) or <c>table</c> (a warehouse table).</param>
/// <param name="EnvironmentVariables">The variables named by <c>${env.NAME}</c> in the destination, in order.</param>
/// <param name="Format">The file format (csv, parquet, meta_custom_audience, google_customer_match, json); null for a webhook or a table.</param>
/// <param name="Consent">The consent rule: required, unless_refused or ignore (always ignore for a table sync, which has no rule).</param>
/// <param name="ConsentColumn">The column the rule reads; null when the rule is ignore.</param>
/// <param name="Schedule">The cron expression that runs the step: its group's when the group has one, else the pipeline's; null when only run by hand or a sensor.</param>
/// <param name="Timezone">The schedule's timezone.</param>
/// <param name="NextTick">When the schedule fires next.</param>
/// <param name="Group">The group whose schedule runs the step, when it is a group's.</param>
/// <param name="Paused">Whether the pipeline's schedules and sensors are paused.</param>
/// <param name="LastRun">The latest run that had the step in it, null before any.</param>
public sealed record ActivationView(string Pipeline, string Step, string Type, string Destination, string DestinationKind, IReadOnlyList<string> EnvironmentVariables,
    string? Format, string Consent, string? ConsentColumn, string? Schedule, string? Timezone, DateTimeOffset? NextTick, string? Group, bool Paused, ActivationRunView? LastRun);

/// <summary>How one run went for an activation step.</summary>
/// <param name="RunId">The run.</param>
/// <param name="RunStatus">How the run went.</param>
/// <param name="StepStatus">How the step went (skipped when something upstream failed).</param>
/// <param name="Trigger">Who started the run.</param>
/// <param name="StartedAt">When the run started.</param>
/// <param name="EndedAt">When the step ended, else the run; null while it runs.</param>
/// <param name="Error">Why the step failed, when it did.</param>
/// <param name="Counts">What the step recorded when it succeeded; for a failed webhook, the rows and batches that run dead-lettered; else null (failed, skipped, running).</param>
/// <param name="Warnings">The warnings the step recorded (a webhook's undelivered rows under max_failed_ratio), empty when none.</param>
/// <param name="FullRefresh">Whether the run was a full refresh: a diff sync sent every row again.</param>
public sealed record ActivationRunView(string RunId, RunStatus RunStatus, StepStatus StepStatus, string Trigger, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
    string? Error, ActivationCounts? Counts, IReadOnlyList<string> Warnings, bool FullRefresh);

/// <summary>
/// The counts an activation step recorded in its materialization; each null when the step does not record it (a file
/// has no failed deliveries) or ran before it was recorded.
/// </summary>
/// <param name="RowsIn">Rows of the step's input.</param>
/// <param name="Delivered">Rows written to the file, delivered to the webhook, or in the target table after a table sync.</param>
/// <param name="ExcludedNoConsent">Rows left out by the consent rule.</param>
/// <param name="Failed">Rows the webhook could not deliver (in dead letters).</param>
/// <param name="DeadLetters">Batches the webhook put in its dead-letter table.</param>
/// <param name="Other">Every other count the step recorded, by its metadata key (a feed's customers and bytes, a webhook's batches, a table sync's added, updated and removed, …).</param>
public sealed record ActivationCounts(long? RowsIn, long? Delivered, long? ExcludedNoConsent, long? Failed, long? DeadLetters, IReadOnlyDictionary<string, long> Other);
