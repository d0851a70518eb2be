using System.Globalization;

namespace Tributary.Engine.Execution;

/// <summary>
/// Watches the process's resident memory while a run's steps execute, so that each step records the peak it saw. Steps
/// share the process: a window open while others run sees their memory too. On Linux it reads <c>/proc/self/status</c>:
/// the current resident size at each sample, and the kernel's high-water mark, whose every rise between two samples is
/// credited to the windows open then (so a spike between samples is not lost; the mark itself is never reset, which would
/// falsify the process's own peak as <c>/usr/bin/time</c> reports it). Elsewhere it samples <see cref="Environment.WorkingSet"/>.
/// </summary>
public sealed class ResidentMemorySampler : IAsyncDisposable
{
    private const string StatusFile = "/proc/self/status";
    private readonly Lock _gate = new();
    private readonly List<Window> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _highWater;

    /// <summary>Starts sampling every <paramref name="period"/> on <paramref name="time"/>'s clock.</summary>
    public ResidentMemorySampler(TimeSpan period, TimeProvider time)
    {
        _highWater = Read().HighWater;
        _loop = Task.Run(() => SampleEveryAsync(period, time, _stop.Token));
    }

    /// <summary>Opens a window (one step); its <see cref="Window.Close"/> returns the peak seen while it was open.</summary>
    public Window Open()
    {
        // Rises before this window opened belong to the ones already open.
        var resident = Sample();
        var window = new Window(this);
        lock (_gate)
        {
            _open.Add(window);
            window.Credit(resident);
        }
        return window;
    }

    /// <summary>Takes one sample now, credits it to every open window and returns the current resident bytes.</summary>
    public long Sample()
    {
        var (resident, highWater) = Read();
        lock (_gate)
        {
            // A rise of the high-water mark happened since the last sample, while these windows were open.
            var peak = Math.Max(resident, highWater > _highWater ? highWater : 0);
            _highWater = Math.Max(_highWater, highWater);
            foreach (var window in _open) window.Credit(peak);
        }
        return resident;
    }

    private async Task SampleEveryAsync(TimeSpan period, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(period, time, cancellationToken).ConfigureAwait(false);
                Sample();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopped
        }
    }

    // Current resident bytes and the high-water mark (0 where the system does not report one).
    private static (long Resident, long HighWater) Read()
    {
        if (!OperatingSystem.IsLinux()) return (Environment.WorkingSet, 0);
        long resident = 0, highWater = 0;
        try
        {
            foreach (var line in File.ReadLines(StatusFile))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) resident = Kilobytes(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) highWater = Kilobytes(line);
            }
        }
        catch (IOException)
        {
            return (Environment.WorkingSet, 0);
        }
        return (resident > 0 ? resident : Environment.WorkingSet, highWater);
    }

    // "VmRSS:	  123456 kB" -> bytes.
    private static long Kilobytes(string line)
    {
        var value = line.AsSpan(line.IndexOf(':') + 1).Trim();
        var space = value.IndexOf(' ');
        return long.TryParse(space < 0 ? value : value[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : 0;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>One step's view of the process's memory.</summary>
    public sealed class Window
    {
        private readonly ResidentMemorySampler _sampler;
        private long _peak;

        internal Window(ResidentMemorySampler sampler) => _sampler = sampler;

        internal void Credit(long bytes) => _peak = Math.Max(_peak, bytes);

        /// <summary>Takes a last sample, stops watching and returns the peak resident bytes seen while open.</summary>
        public long Close()
        {
            _sampler.Sample();
            lock (_sampler._gate)
            {
                _sampler._open.Remove(this);
                return _peak;
            }
        }
    }
}
