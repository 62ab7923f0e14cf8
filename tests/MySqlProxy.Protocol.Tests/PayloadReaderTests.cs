using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests;

public sealed class PayloadReaderTests
{
    [Theory]
    [InlineData("FB")]
    [InlineData("FF")]
    [InlineData("FB0102")]
    [InlineData("FFFFFF")]
    public void ReadLengthEncodedInteger_NullOrErrMarker_Throws(string hex)
    {
        byte[] bytes = Hex.Bytes(hex);

        Assert.Throws<PacketFormatException>(() => new PayloadReader(bytes).ReadLengthEncodedInteger());
    }

    [Theory]
    [InlineData("")]
    [InlineData("FC")]
    [InlineData("FCFF")]
    [InlineData("FD")]
    [InlineData("FDFFFF")]
    [InlineData("FE")]
    [InlineData("FE01020304050607")]
    public void ReadLengthEncodedInteger_Truncated_Throws(string hex)
    {
        byte[] bytes = Hex.Bytes(hex);

        Assert.Throws<PacketFormatException>(() => new PayloadReader(bytes).ReadLengthEncodedInteger());
    }

    [Theory]
    [InlineData(0x00, 1)]
    [InlineData(0xFA, 1)]
    [InlineData(0xFB, 0)]
    [InlineData(0xFC, 3)]
    [InlineData(0xFD, 4)]
    [InlineData(0xFE, 9)]
    [InlineData(0xFF, 0)]
    public void LengthEncodedIntegerSize_FirstByte_GivesEncodedSize(byte first, int size) =>
        Assert.Equal(size, PayloadReader.LengthEncodedIntegerSize(first));

    [Theory]
    [InlineData(1, "")]
    [InlineData(2, "01")]
    [InlineData(3, "0102")]
    [InlineData(4, "010203")]
    [InlineData(8, "01020304050607")]
    public void ReadFixedWidth_Truncated_Throws(int width, string hex)
    {
        byte[] bytes = Hex.Bytes(hex);

        Assert.Throws<PacketFormatException>(() =>
        {
            var reader = new PayloadReader(bytes);
            _ = width switch
            {
                1 => reader.ReadByte(),
                2 => reader.ReadUInt16(),
                3 => reader.ReadUInt24(),
                4 => reader.ReadUInt32(),
                _ => reader.ReadUInt64(),
            };
        });
    }

    [Fact]
    public void ReadFixedWidth_TruncatedRead_LeavesOffsetUnchanged()
    {
        byte[] bytes = Hex.Bytes("010203");
        var reader = new PayloadReader(bytes);
        reader.ReadByte();

        try
        {
            reader.ReadUInt32();
            Assert.Fail("expected a PacketFormatException");
        }
        catch (PacketFormatException)
        {
        }

        Assert.Equal(1, reader.Offset);
        Assert.Equal(0x0302, reader.ReadUInt16());
    }

    [Theory]
    [InlineData("05616263")]
    [InlineData("FC0001")]
    [InlineData("FE0000000001000000")]
    public void ReadLengthEncodedBytes_LengthBeyondPayload_Throws(string hex)
    {
        byte[] bytes = Hex.Bytes(hex);

        Assert.Throws<PacketFormatException>(() => new PayloadReader(bytes).ReadLengthEncodedBytes().ToArray());
    }

    [Fact]
    public void ReadLengthEncodedBytes_LengthAboveIntMax_Throws()
    {
        byte[] bytes = Hex.Bytes("FEFFFFFFFFFFFFFF7F");

        Assert.Throws<PacketFormatException>(() => new PayloadReader(bytes).ReadLengthEncodedBytes().ToArray());
    }

    [Fact]
    public void ReadLengthEncodedBytes_EmptyString_ReturnsEmpty()
    {
        var reader = new PayloadReader(Hex.Bytes("0001"));

        Assert.True(reader.ReadLengthEncodedBytes().IsEmpty);
        Assert.Equal(1, reader.Remaining);
    }

    [Fact]
    public void ReadNullTerminatedBytes_NoNul_Throws()
    {
        byte[] bytes = "abc"u8.ToArray();

        Assert.Throws<PacketFormatException>(() => new PayloadReader(bytes).ReadNullTerminatedBytes().ToArray());
    }

    [Fact]
    public void ReadNullTerminatedBytes_Nul_ConsumesIt()
    {
        var reader = new PayloadReader("ab\0c"u8);

        Assert.Equal("ab"u8, reader.ReadNullTerminatedBytes());
        Assert.Equal(3, reader.Offset);
        Assert.Equal("c"u8, reader.ReadRest());
    }

    [Theory]
    [InlineData("616263", "616263", 3)]
    [InlineData("61620063", "6162", 3)]
    [InlineData("", "", 0)]
    public void ReadNullTerminatedOrEndBytes_WithOrWithoutNul_ReadsUpToIt(string hex, string expected, int offset)
    {
        byte[] bytes = Hex.Bytes(hex);
        var reader = new PayloadReader(bytes);

        Assert.Equal(expected, Hex.Of(reader.ReadNullTerminatedOrEndBytes()).ToLowerInvariant());
        Assert.Equal(offset, reader.Offset);
    }

    [Fact]
    public void ReadBytes_NegativeCount_Throws()
    {
        byte[] bytes = [1, 2];

        Assert.Throws<PacketFormatException>(() => new PayloadReader(bytes).ReadBytes(-1).ToArray());
    }

    [Fact]
    public void ReadBytes_MoreThanRemaining_Throws()
    {
        byte[] bytes = [1, 2];

        Assert.Throws<PacketFormatException>(() => new PayloadReader(bytes).ReadBytes(3).ToArray());
    }

    [Fact]
    public void Skip_PastEnd_Throws()
    {
        byte[] bytes = [1, 2];

        Assert.Throws<PacketFormatException>(() => new PayloadReader(bytes).Skip(3));
    }

    [Fact]
    public void Skip_WithinPayload_AdvancesOffset()
    {
        var reader = new PayloadReader([1, 2, 3]);

        reader.Skip(2);

        Assert.Equal(2, reader.Offset);
        Assert.Equal(1, reader.Remaining);
        Assert.Equal(3, reader.ReadByte());
    }
}
