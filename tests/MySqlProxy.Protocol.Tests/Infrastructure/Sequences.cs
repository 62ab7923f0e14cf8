using System.Buffers;

namespace MySqlProxy.Protocol.Tests.Infrastructure;

/// <summary>Builds multi-segment sequences, so parsers meet data the way a pipe hands it over.</summary>
internal static class Sequences
{
    /// <summary>
    /// <paramref name="data"/> as one segment per piece between <paramref name="offsets"/> (ascending, 0..Length);
    /// each piece is copied into its own array so no segment can read past its end into the next.
    /// </summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] offsets)
    {
        var bounds = new List<int> { 0 };
        foreach (int offset in offsets)
        {
            if (offset < bounds[^1] || offset > data.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(offsets), offset, "offsets must be ascending and inside the data");
            }

            bounds.Add(offset);
        }

        bounds.Add(data.Length);
        var first = new BufferSegment(data.AsSpan(bounds[0], bounds[1] - bounds[0]).ToArray());
        BufferSegment last = first;
        for (int i = 1; i < bounds.Count - 1; i++)
        {
            last = last.Append(data.AsSpan(bounds[i], bounds[i + 1] - bounds[i]).ToArray());
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>The data split once at every offset from 0 to its length (empty first or last segments included).</summary>
    public static IEnumerable<ReadOnlySequence<byte>> SplitAtEveryOffset(byte[] data)
    {
        for (int offset = 0; offset <= data.Length; offset++)
        {
            yield return Split(data, offset);
        }
    }

    /// <summary>The data as one segment per byte.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) =>
        Split(data, [.. Enumerable.Range(1, Math.Max(0, data.Length - 1))]);
}
