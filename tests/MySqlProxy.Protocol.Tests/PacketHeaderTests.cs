using System.Buffers;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests;

public sealed class PacketHeaderTests
{
    [Theory]
    [InlineData(0, 0, "00000000", false)]
    [InlineData(1, 1, "01000001", false)]
    [InlineData(0x123456, 7, "56341207", false)]
    [InlineData(0xFFFFFE, 0xFF, "FEFFFFFF", false)]
    [InlineData(0xFFFFFF, 3, "FFFFFF03", true)]
    public void Write_Length_EncodesLittleEndianThenSequenceId(int length, byte sequenceId, string hex, bool continuation)
    {
        byte[] bytes = new byte[PacketHeader.Size];

        PacketHeader.Write(bytes, length, sequenceId);

        Assert.Equal(hex, Hex.Of(bytes));
        PacketHeader header = PacketHeader.Read(bytes);
        Assert.Equal(length, header.PayloadLength);
        Assert.Equal(sequenceId, header.SequenceId);
        Assert.Equal(continuation, header.HasContinuation);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(0xFFFFFE, 254)]
    [InlineData(0xFFFFFF, 255)]
    public void TryRead_SplitAtEveryOffset_ReadsTheSameHeader(int length, byte sequenceId)
    {
        // A header followed by a few payload bytes, so the split also lands behind the header.
        byte[] bytes = new byte[PacketHeader.Size + 3];
        PacketHeader.Write(bytes, length, sequenceId);
        bytes[4] = 0xAA;

        foreach (ReadOnlySequence<byte> sequence in Sequences.SplitAtEveryOffset(bytes))
        {
            Assert.True(PacketHeader.TryRead(sequence, out PacketHeader header));
            Assert.Equal(length, header.PayloadLength);
            Assert.Equal(sequenceId, header.SequenceId);
            Assert.Equal(length == PacketHeader.MaxPayloadLength, header.HasContinuation);
        }
    }

    [Fact]
    public void TryRead_OneBytePerSegment_ReadsHeader()
    {
        ReadOnlySequence<byte> sequence = Sequences.OneBytePerSegment(Hex.Bytes("FEFFFF09"));

        Assert.False(sequence.IsSingleSegment);
        Assert.True(PacketHeader.TryRead(sequence, out PacketHeader header));
        Assert.Equal(0xFFFFFE, header.PayloadLength);
        Assert.Equal(9, header.SequenceId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TryRead_ShortBuffer_ReturnsFalse(int available)
    {
        byte[] bytes = Hex.Bytes("FFFFFF01")[..available];

        Assert.False(PacketHeader.TryRead(new ReadOnlySequence<byte>(bytes), out PacketHeader header));
        Assert.Equal(default, header);
        for (int offset = 0; offset <= available; offset++)
        {
            Assert.False(PacketHeader.TryRead(Sequences.Split(bytes, offset), out _));
        }
    }

    [Fact]
    public void MaxPayloadLength_Is2To24Minus1()
    {
        Assert.Equal((1 << 24) - 1, PacketHeader.MaxPayloadLength);
        Assert.Equal(4, PacketHeader.Size);
    }
}
