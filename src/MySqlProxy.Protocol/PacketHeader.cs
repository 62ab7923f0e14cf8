using System.Buffers;
using System.Runtime.CompilerServices;

namespace MySqlProxy.Protocol;

/// <summary>
/// The 4-byte header in front of every packet: a 3-byte little-endian payload length and a sequence id
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html).
/// A payload of <see cref="MaxPayloadLength"/> bytes means the logical payload continues in the next packet.
/// </summary>
public readonly struct PacketHeader
{
    /// <summary>Bytes in a header.</summary>
    public const int Size = 4;

    /// <summary>The largest payload one packet carries (2^24 - 1); a packet this long is followed by a continuation.</summary>
    public const int MaxPayloadLength = 0xFFFFFF;

    public PacketHeader(int payloadLength, byte sequenceId)
    {
        PayloadLength = payloadLength;
        SequenceId = sequenceId;
    }

    /// <summary>Length of the payload that follows the header.</summary>
    public int PayloadLength { get; }

    /// <summary>Sequence id; starts at 0 with every command and increments with every packet either way.</summary>
    public byte SequenceId { get; }

    /// <summary>True when the logical payload continues in the next packet.</summary>
    public bool HasContinuation => PayloadLength == MaxPayloadLength;

    /// <summary>Reads a header from the first four bytes of <paramref name="span"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PacketHeader Read(ReadOnlySpan<byte> span) =>
        new(span[0] | (span[1] << 8) | (span[2] << 16), span[3]);

    /// <summary>Reads a header from the start of <paramref name="buffer"/> when four bytes are there.</summary>
    public static bool TryRead(in ReadOnlySequence<byte> buffer, out PacketHeader header)
    {
        if (buffer.Length < Size)
        {
            header = default;
            return false;
        }

        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= Size)
        {
            header = Read(first);
            return true;
        }

        Span<byte> bytes = stackalloc byte[Size];
        buffer.Slice(0, Size).CopyTo(bytes);
        header = Read(bytes);
        return true;
    }

    /// <summary>Writes a header into the first four bytes of <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Span<byte> destination, int payloadLength, byte sequenceId)
    {
        destination[0] = (byte)payloadLength;
        destination[1] = (byte)(payloadLength >> 8);
        destination[2] = (byte)(payloadLength >> 16);
        destination[3] = sequenceId;
    }
}
