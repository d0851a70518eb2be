using Tributary.Core.Pipelines;
using Tributary.Engine.Orchestration;

namespace Tributary.Cli.Hosting;

/// <summary>
/// What the hosted daemon looks after: every pipeline of the project with its schedules and sensors (<c>trib serve</c>),
/// or one pipeline without them, for a backfill (<c>trib backfill</c>).
/// </summary>
/// <param name="Options">Its limits and timings.</param>
/// <param name="Only">The one pipeline, or null for all of the project's.</param>
internal sealed record DaemonScope(DaemonOptions Options, PipelineSpec? Only = null);
