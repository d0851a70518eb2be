namespace Tributary.Analytics.Attribution;

/// <summary>
/// Journeys as flat arrays, the form the attribution models run on: a small dictionary of channel names, every path's
/// touches as channel numbers in one array (path <c>i</c>'s are <c>Touches[Offsets[i]..Offsets[i + 1]]</c>, in order),
/// and per path whether it converted and its value. A million paths are a handful of arrays, not a million objects.
/// The set takes the arrays it is given as they are: callers must not change them afterwards.
/// </summary>
public sealed class PathSet
{
    private readonly int[] _offsets;
    private readonly int[] _touches;
    private readonly bool[] _converted;
    private readonly double[] _values;
    private readonly double[]? _ages;
    private readonly int[]? _ageStarts;
    private readonly bool[] _touched;

    /// <summary>
    /// A set over <paramref name="channels"/>: <paramref name="offsets"/> has one more entry than there are paths (0 first,
    /// non-decreasing, the touch count last), <paramref name="touches"/> holds indexes into <paramref name="channels"/>,
    /// <paramref name="converted"/> and <paramref name="values"/> one entry per path, and <paramref name="ages"/> (time
    /// decay's input: each touch's age in days at conversion) one per touch or none (then a touch's age is its distance
    /// from the path's last touch). With <paramref name="ageStarts"/> (one per path), path <c>i</c>'s ages are instead
    /// <c>ages[ageStarts[i]..]</c>, as many as its touches: paths may share a stretch (a reader keeps the ages of paths that
    /// have some other than 0, and lets every other path read one stretch of zeros).
    /// </summary>
    // Optimized from its first call: run once per step over every touch, it would otherwise spend its first millions of
    // iterations in the runtime's unoptimized and profiling tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public PathSet(IReadOnlyList<string> channels, int[] offsets, int[] touches, bool[] converted, double[] values, double[]? ages = null, int[]? ageStarts = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(touches);
        ArgumentNullException.ThrowIfNull(converted);
        ArgumentNullException.ThrowIfNull(values);
        if (offsets.Length != converted.Length + 1 || values.Length != converted.Length)
            throw new ArgumentException($"offsets needs one entry more than the {converted.Length} paths and values one per path.", nameof(offsets));
        if (offsets[0] != 0 || offsets[^1] != touches.Length)
            throw new ArgumentException("offsets must start at 0 and end at the number of touches.", nameof(offsets));
        for (var i = 1; i < offsets.Length; i++)
            if (offsets[i] < offsets[i - 1]) throw new ArgumentException($"offsets decrease at path {i - 1}.", nameof(offsets));
        // The check of every touch also notes the channels touched, which the models otherwise find by a pass of their own.
        _touched = Touched(touches, channels.Count);
        if (ageStarts is not null)
        {
            if (ages is null) throw new ArgumentException("ageStarts needs ages.", nameof(ageStarts));
            if (ageStarts.Length != converted.Length) throw new ArgumentException($"ageStarts needs one entry per path ({converted.Length}).", nameof(ageStarts));
            for (var i = 0; i < ageStarts.Length; i++)
                if (ageStarts[i] < 0 || (long)ageStarts[i] + (offsets[i + 1] - offsets[i]) > ages.Length)
                    throw new ArgumentException($"path {i}'s ages run past the end of ages.", nameof(ageStarts));
        }
        else if (ages is not null && ages.Length != touches.Length) throw new ArgumentException("ages needs one entry per touch.", nameof(ages));
        Channels = channels;
        Direct = -1;
        for (var c = 0; c < channels.Count && Direct < 0; c++)
            if (channels[c] == "direct") Direct = c;
        (_offsets, _touches, _converted, _values, _ages, _ageStarts) = (offsets, touches, converted, values, ages, ageStarts);
    }

    // Touches per core below which the check runs on one core: the 10M touches of 1M paths took ~30 ms of the attribution
    // step's serial time on one.
    private const int TouchesPerPart = 1 << 20;

    // Which of the channels the touches number, each touch checked to be one of them; split between the cores when long.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool[] Touched(int[] touches, int channels)
    {
        var parts = (int)Math.Clamp(touches.Length / TouchesPerPart, 1, Environment.ProcessorCount);
        var (touched, outside) = (new bool[parts][], new int?[parts]);
        Parallel.For(0, parts, [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (part) =>
        {
            var (seen, to) = (touched[part] = new bool[channels], (int)((long)touches.Length * (part + 1) / parts));
            for (var i = (int)((long)touches.Length * part / parts); i < to; i++)
            {
                var t = touches[i];
                if ((uint)t >= (uint)channels)
                {
                    outside[part] = t;
                    return;
                }
                seen[t] = true;
            }
        });
        if (outside.FirstOrDefault(t => t is not null) is { } channel)
            throw new ArgumentException($"touch channel {channel} is not one of the {channels} channels.", nameof(touches));
        for (var part = 1; part < parts; part++)
            for (var c = 0; c < channels; c++) touched[0][c] |= touched[part][c];
        return touched[0];
    }

    /// <summary>The channel names the touches number.</summary>
    public IReadOnlyList<string> Channels { get; }

    // The number of the channel named direct (last non-direct passes over it), −1 for none: found once, not per path (the
    // rule models' weights of each of 345k conversions looked for it by name, 4% of the attribution step's CPU at 1M paths).
    internal int Direct { get; }

    /// <summary>The number of paths.</summary>
    public int Count => _converted.Length;

    /// <summary>Path <paramref name="path"/>'s touches in order, as indexes into <see cref="Channels"/>.</summary>
    public ReadOnlySpan<int> Touches(int path) => _touches.AsSpan(_offsets[path], _offsets[path + 1] - _offsets[path]);

    /// <summary>Whether path <paramref name="path"/> converted.</summary>
    public bool Converted(int path) => _converted[path];

    /// <summary>Path <paramref name="path"/>'s conversion value.</summary>
    public double Value(int path) => _values[path];

    /// <summary>Path <paramref name="path"/>'s touch ages in days at conversion; empty when the set has none.</summary>
    public ReadOnlySpan<double> Ages(int path) =>
        _ages is null ? default : _ages.AsSpan(_ageStarts?[path] ?? _offsets[path], _offsets[path + 1] - _offsets[path]);

    /// <summary>Whether some path touches channel <paramref name="channel"/> (an index into <see cref="Channels"/>).</summary>
    public bool Touched(int channel) => _touched[channel];

    /// <summary>Whether the set carries touch ages (else time decay counts touches from the last).</summary>
    public bool HasAges => _ages is not null;

    /// <summary>The paths as a set, channels numbered on first sight.</summary>
    public static PathSet From(IReadOnlyList<ConversionPath> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var channels = new List<string>();
        var offsets = new int[paths.Count + 1];
        for (var p = 0; p < paths.Count; p++) offsets[p + 1] = offsets[p] + paths[p].Channels.Count;
        var touches = new int[offsets[^1]];
        var (converted, values) = (new bool[paths.Count], new double[paths.Count]);
        // Ages only when some path has them; a path without them gets its touches' distances from its last, the same as
        // time decay takes when there are none.
        var ages = paths.Any(p => p.DaysBeforeConversion is not null) ? new double[touches.Length] : null;
        for (var p = 0; p < paths.Count; p++)
        {
            var (path, at) = (paths[p], offsets[p]);
            var n = path.Channels.Count;
            if (path.DaysBeforeConversion is { } days && days.Count != n)
                throw new ArgumentException($"path {p} has {n} touches but {days.Count} ages.", nameof(paths));
            for (var i = 0; i < n; i++)
            {
                ref var id = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(ids, path.Channels[i], out var seen);
                if (!seen)
                {
                    id = channels.Count;
                    channels.Add(path.Channels[i]);
                }
                touches[at + i] = id;
                if (ages is not null) ages[at + i] = path.DaysBeforeConversion is { } d ? d[i] : n - 1 - i;
            }
            (converted[p], values[p]) = (path.Converted, path.Value);
        }
        return new PathSet(channels, offsets, touches, converted, values, ages);
    }

    /// <summary>Path <paramref name="path"/> as a <see cref="ConversionPath"/> (for the few callers that need one).</summary>
    public ConversionPath Path(int path)
    {
        var touches = Touches(path);
        var names = new string[touches.Length];
        for (var i = 0; i < names.Length; i++) names[i] = Channels[touches[i]];
        return new ConversionPath(names, Converted(path), Value(path), HasAges ? Ages(path).ToArray() : null);
    }
}
