namespace Tributary.Engine.Runs;

/// <summary>What the run store records, and the alert says, for a run that ended without its executor recording why.</summary>
public static class RunFailures
{
    /// <summary>The error of a run whose process was killed or crashed before it finished.</summary>
    public const string ProcessDied = "The process running this run stopped before it finished (killed or crashed); tables kept their previous version.";

    /// <summary>The error of a step that was running when its process died.</summary>
    public const string ProcessDiedStep = "process died";
}
