using System.Buffers;

namespace MySqlProxy.Protocol.Tests.Infrastructure;

/// <summary>Frames payloads into wire bytes and takes them apart again, as the relay does.</summary>
internal static class Wire
{
    /// <summary>Each payload behind a header, sequence ids from <paramref name="sequenceId"/> (payloads under 16 MiB).</summary>
    public static byte[] Frame(IEnumerable<byte[]> payloads, byte sequenceId = 1)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (byte[] payload in payloads)
        {
            Span<byte> span = output.GetSpan(PacketHeader.Size + payload.Length);
            PacketHeader.Write(span, payload.Length, sequenceId++);
            payload.CopyTo(span[PacketHeader.Size..]);
            output.Advance(PacketHeader.Size + payload.Length);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Walks <paramref name="wire"/> with <see cref="PacketHeader.TryRead"/> and feeds the prefix of each logical packet
    /// (never a continuation packet) to the scanner, copying the prefix out of the sequence as the relay does when it
    /// spans segments.
    /// </summary>
    public static List<ScanOutcome> Scan(ref ResponseScanner scanner, ReadOnlySequence<byte> wire)
    {
        var outcomes = new List<ScanOutcome>();
        Span<byte> prefix = stackalloc byte[ResponseScanner.PrefixSize];
        bool continuation = false;
        while (PacketHeader.TryRead(wire, out PacketHeader header))
        {
            if (continuation)
            {
                continuation = header.HasContinuation;
                wire = wire.Slice(PacketHeader.Size + header.PayloadLength);
                continue;
            }

            continuation = header.HasContinuation;
            int prefixLength = Math.Min(header.PayloadLength, ResponseScanner.PrefixSize);
            wire.Slice(PacketHeader.Size, prefixLength).CopyTo(prefix);
            ScanOutcome outcome = scanner.Feed(prefix[..prefixLength], header.PayloadLength);
            outcomes.Add(outcome);
            if (outcome == ScanOutcome.NeedClientData)
            {
                scanner.ClientDataSent();
            }

            wire = wire.Slice(PacketHeader.Size + header.PayloadLength);
        }

        if (!wire.IsEmpty)
        {
            throw new InvalidOperationException($"{wire.Length} bytes left that do not form a packet");
        }

        return outcomes;
    }
}
