using MySqlProxy.Protocol.Payloads;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests.Payloads;

public sealed class ErrPayloadTests
{
    /// <summary>MariaDB 10.11's answer to SELECT * FROM no_such_table in schema app.</summary>
    private const string NoSuchTable =
        "ff7a042334325330325461626c6520276170702e6e6f5f737563685f7461626c652720646f65736e2774206578697374";

    [Fact]
    public void Read_MariaDbNoSuchTable_ReadsCodeStateMessage()
    {
        ErrPayload err = ErrPayload.Read(Hex.Bytes(NoSuchTable));

        Assert.Equal(1146, err.ErrorCode);
        Assert.Equal("42S02", err.SqlState);
        Assert.Equal("Table 'app.no_such_table' doesn't exist", err.Message);
        Assert.Equal("ERROR 1146 (42S02): Table 'app.no_such_table' doesn't exist", err.ToString());
    }

    [Fact]
    public void Read_MariaDbUnknownDatabase_ReadsCodeStateMessage()
    {
        ErrPayload err = ErrPayload.Read(Hex.Bytes("ff1904233432303030556e6b6e6f776e20646174616261736520276e6f5f737563685f646227"));

        Assert.Equal(1049, err.ErrorCode);
        Assert.Equal("42000", err.SqlState);
        Assert.Equal("Unknown database 'no_such_db'", err.Message);
    }

    [Theory]
    [InlineData(1045, "28000", "Access denied for user 'app'@'localhost' (using password: YES)")]
    [InlineData(1064, "42000", "")]
    [InlineData(1105, "HY000", "Ünïcödé ✓")]
    public void Write_ThenRead_RoundTrips(ushort code, string state, string message)
    {
        using var writer = new PayloadWriter();

        new ErrPayload(code, state, message).Write(writer);

        Assert.Equal(ErrPayload.Signature, writer.Payload[0]);
        Assert.Equal((byte)'#', writer.Payload[3]);
        ErrPayload read = ErrPayload.Read(writer.Payload);
        Assert.Equal(code, read.ErrorCode);
        Assert.Equal(state, read.SqlState);
        Assert.Equal(message, read.Message);
    }

    [Fact]
    public void Read_WithoutSqlStateMarker_DefaultsToHY000()
    {
        // Servers send this form before the handshake, when they do not know yet whether the client speaks 4.1.
        byte[] payload = [0xFF, 0x10, 0x04, .. "Too many connections"u8];

        ErrPayload err = ErrPayload.Read(payload);

        Assert.Equal(1040, err.ErrorCode);
        Assert.Equal("HY000", err.SqlState);
        Assert.Equal("Too many connections", err.Message);
    }

    [Fact]
    public void Read_MarkerButNoRoomForState_KeepsItInMessage()
    {
        byte[] payload = [0xFF, 0x10, 0x04, .. "#abc"u8];

        ErrPayload err = ErrPayload.Read(payload);

        Assert.Equal("HY000", err.SqlState);
        Assert.Equal("#abc", err.Message);
    }

    [Theory]
    [InlineData("00000002000000")]
    [InlineData("FE00000200")]
    public void Read_NotErr_Throws(string hex)
    {
        byte[] payload = Hex.Bytes(hex);

        Assert.Throws<PacketFormatException>(() => ErrPayload.Read(payload));
    }

    [Theory]
    [InlineData("")]
    [InlineData("FF")]
    [InlineData("FF7A")]
    public void Read_Truncated_Throws(string hex)
    {
        byte[] payload = Hex.Bytes(hex);

        Assert.Throws<PacketFormatException>(() => ErrPayload.Read(payload));
    }
}
