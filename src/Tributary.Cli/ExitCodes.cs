namespace Tributary.Cli;

/// <summary>Process exit codes, the same for every command.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Bad usage or an invalid pipeline.</summary>
    public const int UserError = 1;
    /// <summary>A run that failed or was cancelled.</summary>
    public const int RunFailed = 2;
}
