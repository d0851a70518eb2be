namespace Tributary.Engine.Runs;

internal static class RunExclusion
{
    public const string DeadProcessError = "The process running this run stopped before it finished (killed or crashed); tables kept their previous version.";
}
