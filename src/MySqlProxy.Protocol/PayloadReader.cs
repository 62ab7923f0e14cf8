using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace MySqlProxy.Protocol;

/// <summary>
/// Reads the basic data types of the protocol from one payload
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_data_types.html).
/// Every read past the end throws <see cref="PacketFormatException"/>.
/// </summary>
public ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _span;
    private int _offset;

    public PayloadReader(ReadOnlySpan<byte> span)
    {
        _span = span;
        _offset = 0;
    }

    /// <summary>Bytes read so far.</summary>
    public readonly int Offset => _offset;

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _span.Length - _offset;

    /// <summary>What is left, unread.</summary>
    public readonly ReadOnlySpan<byte> Rest => _span[_offset..];

    public byte ReadByte()
    {
        Ensure(1);
        return _span[_offset++];
    }

    public ushort ReadUInt16()
    {
        Ensure(2);
        ushort value = BinaryPrimitives.ReadUInt16LittleEndian(_span[_offset..]);
        _offset += 2;
        return value;
    }

    public uint ReadUInt24()
    {
        Ensure(3);
        uint value = (uint)(_span[_offset] | (_span[_offset + 1] << 8) | (_span[_offset + 2] << 16));
        _offset += 3;
        return value;
    }

    public uint ReadUInt32()
    {
        Ensure(4);
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(_span[_offset..]);
        _offset += 4;
        return value;
    }

    public ulong ReadUInt64()
    {
        Ensure(8);
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(_span[_offset..]);
        _offset += 8;
        return value;
    }

    /// <summary>A length-encoded integer; 0xFB (NULL) and 0xFF are not integers and throw.</summary>
    public ulong ReadLengthEncodedInteger()
    {
        byte first = ReadByte();
        return first switch
        {
            < 0xFB => first,
            0xFC => ReadUInt16(),
            0xFD => ReadUInt24(),
            0xFE => ReadUInt64(),
            _ => ThrowHelper.PacketFormat<ulong>($"0x{first:X2} does not start a length-encoded integer"),
        };
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0)
        {
            ThrowHelper.PacketFormat("negative length");
        }

        Ensure(count);
        ReadOnlySpan<byte> value = _span.Slice(_offset, count);
        _offset += count;
        return value;
    }

    public ReadOnlySpan<byte> ReadLengthEncodedBytes()
    {
        ulong length = ReadLengthEncodedInteger();
        if (length > int.MaxValue)
        {
            ThrowHelper.PacketFormat("length-encoded string too long");
        }

        return ReadBytes((int)length);
    }

    /// <summary>Bytes up to a NUL, which is consumed; a missing NUL throws.</summary>
    public ReadOnlySpan<byte> ReadNullTerminatedBytes()
    {
        int index = _span[_offset..].IndexOf((byte)0);
        if (index < 0)
        {
            ThrowHelper.PacketFormat("missing NUL terminator");
        }

        ReadOnlySpan<byte> value = _span.Slice(_offset, index);
        _offset += index + 1;
        return value;
    }

    /// <summary>Bytes up to a NUL or the end of the payload (servers omit the NUL in some places).</summary>
    public ReadOnlySpan<byte> ReadNullTerminatedOrEndBytes()
    {
        int index = _span[_offset..].IndexOf((byte)0);
        if (index < 0)
        {
            return ReadRest();
        }

        ReadOnlySpan<byte> value = _span.Slice(_offset, index);
        _offset += index + 1;
        return value;
    }

    public string ReadNullTerminatedString() => Encoding.UTF8.GetString(ReadNullTerminatedBytes());

    public ReadOnlySpan<byte> ReadRest()
    {
        ReadOnlySpan<byte> value = _span[_offset..];
        _offset = _span.Length;
        return value;
    }

    public void Skip(int count)
    {
        Ensure(count);
        _offset += count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Ensure(int count)
    {
        if ((uint)(_offset + count) > (uint)_span.Length)
        {
            ThrowHelper.PacketFormat($"payload ends after {_span.Length} bytes; needed {_offset + count}");
        }
    }

    /// <summary>Length of a length-encoded integer from its first byte; 0 for bytes that do not start one.</summary>
    public static int LengthEncodedIntegerSize(byte first) => first switch
    {
        < 0xFB => 1,
        0xFC => 3,
        0xFD => 4,
        0xFE => 9,
        _ => 0,
    };
}
