using MySqlProxy.Protocol.Payloads;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests.Payloads;

public sealed class EofPayloadTests
{
    [Theory]
    [InlineData("FE00000200", 5, true)]
    [InlineData("FE", 1, true)]
    [InlineData("FE000002000000", 7, true)]
    [InlineData("FE0000000100000000", 9, false)]
    [InlineData("FE00000001000000", PacketHeader.MaxPayloadLength, false)]
    [InlineData("00000002000000", 7, false)]
    [InlineData("FF7A04", 3, false)]
    [InlineData("", 0, false)]
    public void IsEof_HeaderAndLength_TellsEofFromRow(string hex, int payloadLength, bool isEof) =>
        Assert.Equal(isEof, EofPayload.IsEof(Hex.Bytes(hex), payloadLength));

    [Theory]
    [InlineData("FE00000200", ServerStatus.Autocommit)]
    [InlineData("FE01000A00", ServerStatus.Autocommit | ServerStatus.MoreResultsExist)]
    [InlineData("FE00004200", ServerStatus.Autocommit | ServerStatus.CursorExists)]
    [InlineData("FE00000A10", ServerStatus.Autocommit | ServerStatus.MoreResultsExist | ServerStatus.PsOutParams)]
    [InlineData("FE0000", ServerStatus.None)]
    [InlineData("FE", ServerStatus.None)]
    public void ReadStatus_Eof_ReadsBytes3And4(string hex, ServerStatus status) =>
        Assert.Equal(status, EofPayload.ReadStatus(Hex.Bytes(hex)));

    [Fact]
    public void Write_ThenRead_RoundTrips()
    {
        using var writer = new PayloadWriter();

        EofPayload.Write(writer, ServerStatus.Autocommit | ServerStatus.LastRowSent, warnings: 4);

        Assert.Equal("FE04008200", Hex.Of(writer.Payload));
        Assert.True(EofPayload.IsEof(writer.Payload, writer.Length));
        Assert.Equal(ServerStatus.Autocommit | ServerStatus.LastRowSent, EofPayload.ReadStatus(writer.Payload));
    }
}
