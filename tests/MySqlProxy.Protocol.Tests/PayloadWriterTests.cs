using System.Buffers;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests;

public sealed class PayloadWriterTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(250UL, "FA")]
    [InlineData(251UL, "FCFB00")]
    [InlineData(0xFFFFUL, "FCFFFF")]
    [InlineData(0x10000UL, "FD000001")]
    [InlineData(0xFFFFFFUL, "FDFFFFFF")]
    [InlineData(0x1000000UL, "FE0000000100000000")]
    [InlineData(0x123456789ABCDEFUL, "FEEFCDAB8967452301")]
    [InlineData(ulong.MaxValue, "FEFFFFFFFFFFFFFFFF")]
    public void WriteLengthEncodedInteger_Boundary_UsesShortestFormAndRoundTrips(ulong value, string hex)
    {
        using var writer = new PayloadWriter();

        writer.WriteLengthEncodedInteger(value);

        Assert.Equal(hex, Hex.Of(writer.Payload));
        var reader = new PayloadReader(writer.Payload);
        Assert.Equal(value, reader.ReadLengthEncodedInteger());
        Assert.Equal(0, reader.Remaining);
        Assert.Equal(writer.Length, PayloadReader.LengthEncodedIntegerSize(writer.Payload[0]));
    }

    [Fact]
    public void Write_FixedWidthIntegers_AreLittleEndianAndRoundTrip()
    {
        using var writer = new PayloadWriter();

        writer.Write((byte)0x01).Write((ushort)0x0302).WriteUInt24(0x060504).Write(0x0A090807u).Write(0x1211100F0E0D0C0BUL);

        Assert.Equal("0102030405060708090A0B0C0D0E0F101112", Hex.Of(writer.Payload));
        var reader = new PayloadReader(writer.Payload);
        Assert.Equal(0x01, reader.ReadByte());
        Assert.Equal(0x0302, reader.ReadUInt16());
        Assert.Equal(0x060504u, reader.ReadUInt24());
        Assert.Equal(0x0A090807u, reader.ReadUInt32());
        Assert.Equal(0x1211100F0E0D0C0BUL, reader.ReadUInt64());
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void WriteStrings_Utf8_RoundTripThroughReader()
    {
        using var writer = new PayloadWriter();

        writer.WriteNullTerminatedString("héllo").WriteLengthEncodedString("wörld").WriteLengthEncodedBytes([1, 2, 3])
            .WriteNullTerminated([9]).WriteString("rest");

        var reader = new PayloadReader(writer.Payload);
        Assert.Equal("héllo", reader.ReadNullTerminatedString());
        Assert.Equal("wörld"u8, reader.ReadLengthEncodedBytes());
        Assert.Equal(new byte[] { 1, 2, 3 }, reader.ReadLengthEncodedBytes().ToArray());
        Assert.Equal(new byte[] { 9 }, reader.ReadNullTerminatedBytes().ToArray());
        Assert.Equal("rest"u8, reader.ReadRest());
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void WriteLengthEncodedString_Utf8_PrefixesByteCountNotCharCount()
    {
        using var writer = new PayloadWriter();

        writer.WriteLengthEncodedString("é€");

        Assert.Equal("05C3A9E282AC", Hex.Of(writer.Payload));
    }

    [Fact]
    public void Write_BeyondInitialCapacity_GrowsAndKeepsBytes()
    {
        using var writer = new PayloadWriter(initialCapacity: 4);
        byte[] data = [.. Enumerable.Range(0, 10_000).Select(i => (byte)i)];

        writer.Write((byte)0xAB).Write(data).WriteZeros(3);

        Assert.Equal(10_004, writer.Length);
        Assert.Equal(0xAB, writer.Payload[0]);
        Assert.Equal(data, writer.Payload.Slice(1, data.Length).ToArray());
        Assert.Equal(new byte[3], writer.Payload[^3..].ToArray());
    }

    [Fact]
    public void Reset_AfterWrites_StartsAnEmptyPayload()
    {
        using var writer = new PayloadWriter();
        writer.Write(0xFFFFFFFFu);

        writer.Reset();
        writer.Write((byte)7);

        Assert.Equal("07", Hex.Of(writer.Payload));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(PacketHeader.MaxPayloadLength - 1)]
    public void WritePacketsTo_UnderMaxLength_WritesOnePacket(int length)
    {
        using var writer = Filled(length);
        var output = new ArrayBufferWriter<byte>();

        byte next = writer.WritePacketsTo(output, 5);

        Assert.Equal(6, next);
        Assert.Equal([(length, (byte)5)], Headers(output.WrittenSpan));
        AssertPayloadsMatch(writer, output.WrittenSpan);
    }

    [Fact]
    public void WritePacketsTo_ExactlyMaxLength_WritesFullPacketThenEmptyOne()
    {
        using var writer = Filled(PacketHeader.MaxPayloadLength);
        var output = new ArrayBufferWriter<byte>();

        byte next = writer.WritePacketsTo(output, 0);

        Assert.Equal(2, next);
        Assert.Equal([(PacketHeader.MaxPayloadLength, (byte)0), (0, (byte)1)], Headers(output.WrittenSpan));
        Assert.Equal(PacketHeader.MaxPayloadLength + (2 * PacketHeader.Size), output.WrittenCount);
        AssertPayloadsMatch(writer, output.WrittenSpan);
    }

    [Fact]
    public void WritePacketsTo_TwiceMaxLengthPlus5_WritesTwoFullPacketsAndARemainder()
    {
        using var writer = Filled((PacketHeader.MaxPayloadLength * 2) + 5);
        var output = new ArrayBufferWriter<byte>();

        byte next = writer.WritePacketsTo(output, 1);

        Assert.Equal(4, next);
        Assert.Equal(
            [(PacketHeader.MaxPayloadLength, (byte)1), (PacketHeader.MaxPayloadLength, (byte)2), (5, (byte)3)],
            Headers(output.WrittenSpan));
        AssertPayloadsMatch(writer, output.WrittenSpan);
    }

    [Fact]
    public void WritePacketsTo_SequenceIdAt255_WrapsToZero()
    {
        using var writer = Filled(PacketHeader.MaxPayloadLength);
        var output = new ArrayBufferWriter<byte>();

        byte next = writer.WritePacketsTo(output, 255);

        Assert.Equal(1, next);
        Assert.Equal([(PacketHeader.MaxPayloadLength, (byte)255), (0, (byte)0)], Headers(output.WrittenSpan));
    }

    private static PayloadWriter Filled(int length)
    {
        var writer = new PayloadWriter(length);
        byte[] chunk = [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))];
        int left = length;
        while (left > 0)
        {
            int n = Math.Min(left, chunk.Length);
            writer.Write(chunk.AsSpan(0, n));
            left -= n;
        }

        return writer;
    }

    private static List<(int Length, byte SequenceId)> Headers(ReadOnlySpan<byte> wire)
    {
        var headers = new List<(int, byte)>();
        while (wire.Length > 0)
        {
            PacketHeader header = PacketHeader.Read(wire);
            headers.Add((header.PayloadLength, header.SequenceId));
            wire = wire[(PacketHeader.Size + header.PayloadLength)..];
        }

        return headers;
    }

    private static void AssertPayloadsMatch(PayloadWriter writer, ReadOnlySpan<byte> wire)
    {
        byte[] joined = new byte[writer.Length];
        int offset = 0;
        while (wire.Length > 0)
        {
            PacketHeader header = PacketHeader.Read(wire);
            wire.Slice(PacketHeader.Size, header.PayloadLength).CopyTo(joined.AsSpan(offset));
            offset += header.PayloadLength;
            wire = wire[(PacketHeader.Size + header.PayloadLength)..];
        }

        Assert.Equal(writer.Length, offset);
        Assert.True(writer.Payload.SequenceEqual(joined), "the packets do not carry the payload");
    }
}
