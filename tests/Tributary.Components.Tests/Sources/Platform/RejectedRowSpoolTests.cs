using Tributary.Components.Sources.Platform;

namespace Tributary.Components.Tests.Sources.Platform;

/// <summary>The rejected rows of a load, spooled to a temporary file: owner-only, whatever the umask, and gone when disposed.</summary>
public sealed class RejectedRowSpoolTests
{
    // The spool in /tmp was created with the umask's mode (644): any local user could read the rejected rows, people's data.
    [Fact]
    public void Add_FirstRow_CreatesTheTemporaryFileOwnerOnlyAndDisposeDeletesIt()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        string path;
        using (var spool = new RejectedRowSpool())
        {
            spool.Add(0, "orders.csv", 7, "a@example.com,not a number", "amount: not a number");
            path = spool.FilePath!;

            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(["orders.csv", 7L, "a@example.com,not a number", "amount: not a number"], Assert.Single(spool.Read()));
        }
        Assert.False(File.Exists(path));
    }
}
