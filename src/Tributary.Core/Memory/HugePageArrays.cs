using System.Runtime.InteropServices;

namespace Tributary.Core.Memory;

/// <summary>
/// Arrays of millions of values that a step fills once and reads a few times (the attribution read's touches), backed by
/// the kernel's transparent huge pages where Linux offers them on request (<c>transparent_hugepage/enabled</c> set to
/// <c>madvise</c>, the common default): each 2 MB of the array then costs one page fault and one TLB entry instead of 512.
/// On a virtual machine a 4 KB fault costs microseconds, and a read that writes 300 MB of such arrays spent a fifth of its
/// CPU in them (bench/README.md, stop 30). The array is pinned (the pinned object heap: never moved, so the advice stays
/// with its memory); elsewhere, or where the advice is refused, it is an ordinary uninitialized array.
/// </summary>
public static class HugePageArrays
{
    // Below this the array is left to the ordinary heap: the advice cannot cover a huge page of it.
    private const long MinBytes = 4L << 20;
    private const int PageSize = 4096;
    private const int MadviseHugepage = 14;

    /// <summary>An uninitialized array of <paramref name="length"/> values, on huge pages where the system gives them.</summary>
    public static T[] Allocate<T>(int length) where T : unmanaged
    {
        var bytes = (long)length * Marshal.SizeOf<T>();
        if (bytes < MinBytes || !OperatingSystem.IsLinux()) return GC.AllocateUninitializedArray<T>(length);
        var array = GC.AllocateUninitializedArray<T>(length, pinned: true);
        var start = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        // madvise takes whole pages: the ones inside the array (its first and last partial pages keep the default).
        var from = (start + PageSize - 1) & ~(nint)(PageSize - 1);
        var to = (start + (nint)bytes) & ~(nint)(PageSize - 1);
        if (to > from) _ = Advise(from, (nuint)(to - from), MadviseHugepage);
        return array;
    }

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Advise(nint address, nuint length, int advice);
}
