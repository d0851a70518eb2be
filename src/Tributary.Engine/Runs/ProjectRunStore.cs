using Tributary.Core.Projects;

namespace Tributary.Engine.Runs;

/// <summary>Opens the run store a project's settings choose: the SQLite file by default, or PostgreSQL shared by several processes.</summary>
public static class ProjectRunStore
{
    /// <summary>
    /// Opens (creating and migrating) the store of <paramref name="settings"/>; the PostgreSQL connection string is read
    /// from the environment variable that <c>run_store.postgres_env</c> names, never from the settings file.
    /// </summary>
    /// <exception cref="InvalidOperationException">The named environment variable is not set.</exception>
    public static async Task<IProjectRunStore> OpenAsync(ProjectSettings settings, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (settings.RunStorePostgresEnv is not { } name) return await SqliteRunStore.OpenAsync(settings.RunStorePath, cancellationToken).ConfigureAwait(false);
        var connectionString = environment(name) is { Length: > 0 } value ? value
            : throw new InvalidOperationException($"tributary.yaml names run_store.postgres_env '{name}', but that environment variable is not set.");
        return await PostgresRunStore.OpenAsync(connectionString, cancellationToken).ConfigureAwait(false);
    }
}
