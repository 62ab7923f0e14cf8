using System.Buffers;

namespace MySqlProxy.Protocol.Tests.Infrastructure;

/// <summary>One link of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>.</summary>
internal sealed class BufferSegment : ReadOnlySequenceSegment<byte>
{
    public BufferSegment(ReadOnlyMemory<byte> memory) => Memory = memory;

    /// <summary>Links <paramref name="memory"/> after this segment and returns the new segment.</summary>
    public BufferSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new BufferSegment(memory) { RunningIndex = RunningIndex + Memory.Length };
        Next = next;
        return next;
    }
}
