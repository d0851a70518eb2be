using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Tributary.Core.Memory;

/// <summary>
/// A hint that an array element will be read soon, so that a loop which reads from many unrelated places (a gather of
/// short runs stored anywhere in hundreds of megabytes) has several cache misses in flight instead of waiting on each in
/// turn. x86's PREFETCHT0 (Intel 64 and IA-32 Architectures Optimization Reference Manual, "software prefetching"): it never
/// faults and changes no result, so an index past the array is ignored; elsewhere a no-op.
/// </summary>
public static class CachePrefetch
{
    /// <summary>Asks for the cache line holding <c>array[index]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Read<T>(T[] array, int index) where T : unmanaged
    {
        if (!Sse.IsSupported || (uint)index >= (uint)array.Length) return;
        // The address only has to be right for as long as the hint takes: an array the collector moves meanwhile costs a
        // wasted prefetch, not a wrong read.
        Sse.Prefetch0(Unsafe.AsPointer(ref array[index]));
    }
}
