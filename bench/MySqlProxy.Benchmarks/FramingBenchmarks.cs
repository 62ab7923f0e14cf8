using System.Buffers;
using BenchmarkDotNet.Attributes;
using MySqlProxy.Protocol;

namespace MySqlProxy.Benchmarks;

/// <summary>How a response lies in memory when the relay reads it.</summary>
public enum Segmentation
{
    /// <summary>One contiguous segment (the fast path: <c>FirstSpan</c> holds every header and prefix).</summary>
    OneSegment,

    /// <summary>4 KiB segments, as the proxy's pipes (minimumSegmentSize 4096) hand them over; headers and prefixes straddle segment ends.</summary>
    Segments4KiB,
}

/// <summary>
/// The relay's framing work without the sockets: <see cref="PacketHeader.TryRead"/> on each packet,
/// <see cref="ResponseScanner.Feed"/> on each logical packet's first bytes (copied to the stack when they straddle
/// segments), continuation pieces of a split payload skipped, slicing past each packet, until the response ends.
/// </summary>
public class FramingBenchmarks
{
    private ReadOnlySequence<byte> _response;
    private int _packets;

    [Params(RelayShape.Rows1x10B, RelayShape.Rows100x100B, RelayShape.Row1x17MiB)]
    public RelayShape Shape { get; set; }

    [Params(Segmentation.OneSegment, Segmentation.Segments4KiB)]
    public Segmentation Layout { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (int rows, int rowPayload) = Shape switch
        {
            RelayShape.Rows1x10B => (1, 10),
            RelayShape.Rows100x100B => (100, 100),
            _ => (1, 17 * 1024 * 1024),
        };
        byte[] bytes = Wire.ResultSet(["c"], Enumerable.Range(0, rows).Select(_ => Wire.TextRow(rowPayload)), deprecateEof: true);
        _response = Layout == Segmentation.OneSegment ? new ReadOnlySequence<byte>(bytes) : Segments.Split(bytes, 4096);

        for (int offset = 0; offset < bytes.Length; _packets++)
        {
            offset += PacketHeader.Size + PacketHeader.Read(bytes.AsSpan(offset)).PayloadLength;
        }

        if (Walk() != _packets)
        {
            throw new InvalidOperationException($"the walk saw {Walk()} packets of {_packets}");
        }
    }

    /// <summary>One whole response: every packet framed, every logical packet scanned.</summary>
    [Benchmark]
    public int Walk()
    {
        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.Query, Capabilities.Protocol41 | Capabilities.DeprecateEof);
        Span<byte> copy = stackalloc byte[ResponseScanner.PrefixSize];
        ReadOnlySequence<byte> buffer = _response;
        int packets = 0;
        bool continuation = false;
        bool done = false;
        while (PacketHeader.TryRead(buffer, out PacketHeader header))
        {
            packets++;
            if (!continuation)
            {
                ReadOnlySequence<byte> prefix = buffer.Slice(PacketHeader.Size, Math.Min(header.PayloadLength, ResponseScanner.PrefixSize));
                scoped ReadOnlySpan<byte> span;
                if (prefix.IsSingleSegment)
                {
                    span = prefix.FirstSpan;
                }
                else
                {
                    prefix.CopyTo(copy);
                    span = copy[..(int)prefix.Length];
                }

                done = scanner.Feed(span, header.PayloadLength) != ScanOutcome.Continue;
            }

            continuation = header.HasContinuation;
            buffer = buffer.Slice(PacketHeader.Size + (long)header.PayloadLength);
            if (done && !continuation)
            {
                break;
            }
        }

        return packets;
    }

    /// <summary>Only the header reads and slicing (no scanner): the cost of finding packet boundaries.</summary>
    [Benchmark]
    public int Headers()
    {
        ReadOnlySequence<byte> buffer = _response;
        int packets = 0;
        while (PacketHeader.TryRead(buffer, out PacketHeader header))
        {
            packets++;
            buffer = buffer.Slice(PacketHeader.Size + (long)header.PayloadLength);
        }

        return packets;
    }
}

/// <summary>Builds multi-segment sequences, each segment its own array as a pipe's are.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> bytes, int segmentSize)
    {
        Segment first = new(bytes[..Math.Min(segmentSize, bytes.Length)].ToArray(), 0);
        Segment last = first;
        for (int offset = segmentSize; offset < bytes.Length; offset += segmentSize)
        {
            last = last.Append(bytes.Slice(offset, Math.Min(segmentSize, bytes.Length - offset)).ToArray());
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
