namespace Tributary.Engine.Runs;

/// <summary>
/// The run store could not be reached for as long as it retries a call (<see cref="PostgresRunStoreOptions.RetryFor"/>):
/// the database is down, restarting or failing over. The run that needed it ends as failed with this message.
/// </summary>
public sealed class RunStoreUnavailableException(string message, Exception innerException) : Exception(message, innerException);
