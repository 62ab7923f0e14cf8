using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace MySqlProxy.Protocol;

/// <summary>
/// Builds one payload in a growable buffer and frames it as one or more packets. Used for the
/// packets the proxy writes itself (handshakes, errors, rewritten statements), never for relayed bytes.
/// </summary>
public sealed class PayloadWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public PayloadWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity + PacketHeader.Size);
        _length = PacketHeader.Size;
    }

    /// <summary>Bytes of payload written so far.</summary>
    public int Length => _length - PacketHeader.Size;

    /// <summary>The payload written so far.</summary>
    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(PacketHeader.Size, _length - PacketHeader.Size);

    public PayloadWriter Write(byte value)
    {
        Grow(1)[0] = value;
        return this;
    }

    public PayloadWriter Write(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Grow(2), value);
        return this;
    }

    public PayloadWriter WriteUInt24(uint value)
    {
        Span<byte> span = Grow(3);
        span[0] = (byte)value;
        span[1] = (byte)(value >> 8);
        span[2] = (byte)(value >> 16);
        return this;
    }

    public PayloadWriter Write(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), value);
        return this;
    }

    public PayloadWriter Write(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), value);
        return this;
    }

    public PayloadWriter Write(ReadOnlySpan<byte> value)
    {
        value.CopyTo(Grow(value.Length));
        return this;
    }

    public PayloadWriter WriteZeros(int count)
    {
        Grow(count).Clear();
        return this;
    }

    public PayloadWriter WriteLengthEncodedInteger(ulong value)
    {
        if (value < 0xFB)
        {
            return Write((byte)value);
        }

        if (value <= 0xFFFF)
        {
            return Write((byte)0xFC).Write((ushort)value);
        }

        if (value <= 0xFFFFFF)
        {
            return Write((byte)0xFD).WriteUInt24((uint)value);
        }

        return Write((byte)0xFE).Write(value);
    }

    public PayloadWriter WriteLengthEncodedBytes(ReadOnlySpan<byte> value) =>
        WriteLengthEncodedInteger((ulong)value.Length).Write(value);

    public PayloadWriter WriteLengthEncodedString(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        WriteLengthEncodedInteger((ulong)count);
        Encoding.UTF8.GetBytes(value, Grow(count));
        return this;
    }

    public PayloadWriter WriteString(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        Encoding.UTF8.GetBytes(value, Grow(count));
        return this;
    }

    public PayloadWriter WriteNullTerminated(ReadOnlySpan<byte> value) => Write(value).Write((byte)0);

    public PayloadWriter WriteNullTerminatedString(string value) => WriteString(value).Write((byte)0);

    /// <summary>
    /// Frames the payload as packets starting at <paramref name="sequenceId"/> (splitting at 2^24-1 bytes)
    /// into <paramref name="output"/>, and returns the sequence id the next packet would take.
    /// </summary>
    public byte WritePacketsTo(IBufferWriter<byte> output, byte sequenceId)
    {
        ReadOnlySpan<byte> payload = Payload;
        while (true)
        {
            int chunk = Math.Min(payload.Length, PacketHeader.MaxPayloadLength);
            Span<byte> span = output.GetSpan(PacketHeader.Size + chunk);
            PacketHeader.Write(span, chunk, sequenceId++);
            payload[..chunk].CopyTo(span[PacketHeader.Size..]);
            output.Advance(PacketHeader.Size + chunk);
            payload = payload[chunk..];
            if (chunk < PacketHeader.MaxPayloadLength)
            {
                return sequenceId;
            }
        }
    }

    /// <summary>Forgets the payload so the writer can build another.</summary>
    public void Reset() => _length = PacketHeader.Size;

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        Span<byte> span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
