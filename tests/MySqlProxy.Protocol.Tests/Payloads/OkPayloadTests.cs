using MySqlProxy.Protocol.Payloads;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests.Payloads;

public sealed class OkPayloadTests
{
    [Theory]
    [InlineData("00 00 00 0200 0000", 0UL, 0UL, ServerStatus.Autocommit, 0)]
    [InlineData("00 01 05 0300 0100", 1UL, 5UL, ServerStatus.Autocommit | ServerStatus.InTransaction, 1)]
    [InlineData("FE 00 00 2200 0000", 0UL, 0UL, ServerStatus.Autocommit | ServerStatus.NoIndexUsed, 0)]
    [InlineData("00 FA FA 0240 0000", 250UL, 250UL, ServerStatus.Autocommit | ServerStatus.SessionStateChanged, 0)]
    [InlineData("00 FCFB00 FCFFFF 0000 FFFF", 251UL, 0xFFFFUL, ServerStatus.None, 0xFFFF)]
    [InlineData("00 FD000001 FDFFFFFF 0800 0200", 0x10000UL, 0xFFFFFFUL, ServerStatus.MoreResultsExist, 2)]
    [InlineData("00 FE0000000100000000 FEFFFFFFFFFFFFFFFF 0A00 0000", 0x1000000UL, ulong.MaxValue, ServerStatus.Autocommit | ServerStatus.MoreResultsExist, 0)]
    [InlineData("00 02 00 0200 0000 2852 6f77733a", 2UL, 0UL, ServerStatus.Autocommit, 0)]
    public void TryReadHead_ValidOk_ReadsFixedPart(string hex, ulong rows, ulong insertId, ServerStatus status, ushort warnings)
    {
        Assert.True(OkPayload.TryReadHead(Hex.Bytes(hex), out OkPayload ok));

        Assert.Equal(rows, ok.AffectedRows);
        Assert.Equal(insertId, ok.LastInsertId);
        Assert.Equal(status, ok.Status);
        Assert.Equal(warnings, ok.Warnings);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00 00 00 0200 00")]
    [InlineData("01 00 00 0200 0000")]
    [InlineData("FF 00 00 0200 0000")]
    [InlineData("00 FB 00 0200 0000")]
    [InlineData("00 FF 00 0200 0000")]
    [InlineData("00 FC0001 00 0200")]
    [InlineData("00 FE0000000100000000 00 0200")]
    [InlineData("00 00 FD000001 0200")]
    public void TryReadHead_ShortOrNotOk_ReturnsFalse(string hex)
    {
        Assert.False(OkPayload.TryReadHead(Hex.Bytes(hex), out OkPayload ok));
        Assert.Equal(default, ok);
    }

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(250UL, 251UL)]
    [InlineData(0xFFFFUL, 0x10000UL)]
    [InlineData(0xFFFFFFUL, 0x1000000UL)]
    [InlineData(ulong.MaxValue, 42UL)]
    public void Write_ThenTryReadHead_RoundTrips(ulong rows, ulong insertId)
    {
        using var writer = new PayloadWriter();

        OkPayload.Write(writer, rows, insertId, ServerStatus.InTransaction | ServerStatus.Autocommit, 3);

        Assert.Equal(OkPayload.Signature, writer.Payload[0]);
        Assert.True(OkPayload.TryReadHead(writer.Payload, out OkPayload ok));
        Assert.Equal(rows, ok.AffectedRows);
        Assert.Equal(insertId, ok.LastInsertId);
        Assert.Equal(ServerStatus.InTransaction | ServerStatus.Autocommit, ok.Status);
        Assert.Equal(3, ok.Warnings);
    }
}
