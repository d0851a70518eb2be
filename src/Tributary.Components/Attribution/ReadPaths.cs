namespace Tributary.Components.Attribution;

/// <summary>Paths as <see cref="PathRuns.Finish"/> gives them: per path its id and outcome, per touch its key, position and age.</summary>
internal sealed record ReadPaths(string[] Ids, bool[] Converted, double[] Values, DateTime?[] ConvertedAt, int[] Offsets, int[] Keys, long[] Positions, double[] Ages);
