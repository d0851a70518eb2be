using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace Tributary.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for the test assembly: initdb into a temp folder, pg_ctl on a free port,
/// stopped and deleted at the end. As root it runs the server as the 'postgres' (or 'nobody') user.
/// When no PostgreSQL is installed, or TRIB_SKIP_POSTGRES=1, tests that need it skip with a clear message, unless
/// TRIB_REQUIRE_POSTGRES=1 (set by CI), where they fail.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private string? _dataDir;
    private string? _binDir;
    private string? _runAs;

    public string? ConnectionString { get; private set; }
    public string? Unavailable { get; private set; }

    public async ValueTask InitializeAsync()
    {
        // The mutation bench restarts test processes often and kills them without disposing fixtures; it skips PostgreSQL.
        if (Environment.GetEnvironmentVariable("TRIB_SKIP_POSTGRES") == "1")
        {
            Unavailable = "TRIB_SKIP_POSTGRES=1 is set: the PostgreSQL tests skip.";
            return;
        }
        _binDir = FindBinDir();
        if (_binDir is null)
        {
            Unavailable = "PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's 'postgresql' package to run the PostgreSQL tests.";
            return;
        }
        _dataDir = Path.Combine(Path.GetTempPath(), "trib-pg-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_dataDir);
        if (Environment.UserName == "root")
        {
            _runAs = Run("id", "-u postgres", null, throwOnError: false).ExitCode == 0 ? "postgres" : "nobody";
            Run("chown", $"{_runAs} {_dataDir}", null);
        }
        var port = FreePort();
        Run(Path.Combine(_binDir, "initdb"), $"-D {_dataDir}/data -U tributary --auth=trust -E UTF8 --no-locale", _runAs);
        Run(Path.Combine(_binDir, "pg_ctl"),
            $"-D {_dataDir}/data -l {_dataDir}/log -w -o \"-p {port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start",
            _runAs);
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=tributary;Database=postgres;Pooling=true;Include Error Detail=true";
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
    }

    /// <summary>The connection string of a new, empty schema: a fresh warehouse for one test.</summary>
    public async Task<string> NewSchemaAsync()
    {
        if (ConnectionString is null)
        {
            if (Environment.GetEnvironmentVariable("TRIB_REQUIRE_POSTGRES") == "1") throw new InvalidOperationException(Unavailable);
            Assert.Skip(Unavailable!);
        }
        var schema = "t_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString + $";Search Path={schema}";
    }

    /// <summary>
    /// The connection string of a new database whose text sorts by the ICU collation <paramref name="icuLocale"/> (e.g.
    /// en-US, as a production database created with an en_US locale sorts), where the cluster's own databases sort as C.
    /// </summary>
    public async Task<string> NewDatabaseAsync(string icuLocale)
    {
        if (ConnectionString is null)
        {
            if (Environment.GetEnvironmentVariable("TRIB_REQUIRE_POSTGRES") == "1") throw new InvalidOperationException(Unavailable);
            Assert.Skip(Unavailable!);
        }
        var database = "d_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '{icuLocale.Replace("'", "''", StringComparison.Ordinal)}'", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString.Replace("Database=postgres", $"Database={database}", StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync()
    {
        if (_dataDir is not null && _binDir is not null && ConnectionString is not null)
            Run(Path.Combine(_binDir, "pg_ctl"), $"-D {_dataDir}/data -m immediate -w stop", _runAs, throwOnError: false);
        NpgsqlConnection.ClearAllPools();
        if (_dataDir is not null)
        {
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
        return ValueTask.CompletedTask;
    }

    private static string? FindBinDir()
    {
        var root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
            foreach (var version in Directory.GetDirectories(root).OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                if (File.Exists(Path.Combine(version, "bin", "initdb"))) return Path.Combine(version, "bin");
        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static (int ExitCode, string Output) Run(string file, string arguments, string? runAs, bool throwOnError = true)
    {
        var info = runAs is null
            ? new ProcessStartInfo(file, arguments)
            : new ProcessStartInfo("runuser", $"-u {runAs} -- {file} {arguments}");
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (throwOnError && process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}: {error}{output.Result}");
        return (process.ExitCode, output.Result + error);
    }
}
