using System.Text;
using MySqlProxy.Protocol.Payloads;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests.Payloads;

public sealed class HandshakeResponseTests
{
    private const Capabilities Base = Capabilities.LongPassword | Capabilities.Protocol41 | Capabilities.Transactions;

    private const Capabilities MariaDbServer = Capabilities.Protocol41 | Capabilities.SecureConnection | Capabilities.PluginAuth;

    private const Capabilities MySqlServer = MariaDbServer | Capabilities.LongPassword;

    /// <summary>CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA (clients send it with CLIENT_SECURE_CONNECTION).</summary>
    private const Capabilities Lenenc = Capabilities.PluginAuthLenencClientData | Capabilities.SecureConnection;

    /// <summary>CLIENT_SECURE_CONNECTION alone: one length byte.</summary>
    private const Capabilities Secure = Capabilities.SecureConnection;

    private static readonly byte[] s_auth = Hex.Bytes("1fd46c01d6489e27810f30566a39115f7a03bf6f");

    private static readonly byte[] s_attributes = [.. "\u0003_os\u0005Linux"u8];

    [Theory]
    [InlineData(false, false, false, Lenenc)]
    [InlineData(true, false, false, Lenenc)]
    [InlineData(false, true, false, Lenenc)]
    [InlineData(false, false, true, Lenenc)]
    [InlineData(true, true, true, Lenenc)]
    [InlineData(true, true, true, Secure)]
    [InlineData(false, false, false, Secure)]
    [InlineData(true, false, true, Secure)]
    [InlineData(true, true, false, Capabilities.None)]
    public void WriteRead_OptionalParts_RoundTrip(bool withDb, bool pluginAuth, bool connectAttrs, Capabilities authEncoding)
    {
        Capabilities caps = Base | authEncoding;
        caps |= (withDb ? Capabilities.ConnectWithDb : 0) | (pluginAuth ? Capabilities.PluginAuth : 0) |
            (connectAttrs ? Capabilities.ConnectAttrs : 0);
        var written = new HandshakeResponse
        {
            Capabilities = caps,
            MaxPacketSize = 0x01000000,
            CharacterSet = 45,
            User = "app",
            AuthResponse = s_auth,
            Database = withDb ? "app" : null,
            AuthPluginName = pluginAuth ? AuthPluginNames.NativePassword : null,
            ConnectionAttributes = connectAttrs ? s_attributes : null,
        };

        HandshakeResponse read = RoundTrip(written, MySqlServer);

        Assert.Equal(caps, read.Capabilities);
        Assert.Equal(0x01000000u, read.MaxPacketSize);
        Assert.Equal(45, read.CharacterSet);
        Assert.Equal("app", read.User);
        Assert.Equal(s_auth, read.AuthResponse);
        Assert.Equal(withDb ? "app" : null, read.Database);
        Assert.Equal(pluginAuth ? AuthPluginNames.NativePassword : null, read.AuthPluginName);
        Assert.Equal(connectAttrs ? s_attributes : null, read.ConnectionAttributes);
    }

    [Fact]
    public void Write_SecureConnection_PrefixesAuthWithOneByte()
    {
        var response = new HandshakeResponse
        {
            Capabilities = Base | Capabilities.SecureConnection,
            CharacterSet = 33,
            User = "u",
            AuthResponse = [0xAA, 0xBB],
        };
        using var writer = new PayloadWriter();

        response.Write(writer);

        Assert.Equal("7500" + "02AABB", Hex.Of(writer.Payload[32..]));
    }

    [Fact]
    public void WriteRead_LengthEncodedAuthLongerThan250Bytes_RoundTrips()
    {
        byte[] auth = [.. Enumerable.Range(0, 300).Select(i => (byte)i)];
        var written = new HandshakeResponse
        {
            Capabilities = Base | Capabilities.SecureConnection | Capabilities.PluginAuthLenencClientData | Capabilities.PluginAuth,
            CharacterSet = 33,
            User = "app",
            AuthResponse = auth,
            AuthPluginName = AuthPluginNames.ClearPassword,
        };
        using var writer = new PayloadWriter();
        written.Write(writer);

        HandshakeResponse read = HandshakeResponse.Read(writer.Payload, MySqlServer);

        Assert.Equal("FC2C01", Hex.Of(writer.Payload.Slice(32 + 4, 3)));
        Assert.Equal(auth, read.AuthResponse);
        Assert.Equal(AuthPluginNames.ClearPassword, read.AuthPluginName);
    }

    [Fact]
    public void WriteRead_EmptyAuthAndEmptyDatabase_RoundTrip()
    {
        var written = new HandshakeResponse
        {
            Capabilities = Base | Capabilities.SecureConnection | Capabilities.ConnectWithDb | Capabilities.PluginAuth,
            CharacterSet = 8,
            User = "nopass",
            AuthResponse = [],
            Database = string.Empty,
            AuthPluginName = AuthPluginNames.NativePassword,
        };

        HandshakeResponse read = RoundTrip(written, MySqlServer);

        Assert.Empty(read.AuthResponse);
        Assert.Equal(string.Empty, read.Database);
        Assert.Equal(AuthPluginNames.NativePassword, read.AuthPluginName);
    }

    [Fact]
    public void WriteRead_BothSidesMariaDb_ExtendedCapabilitiesSurvive()
    {
        Capabilities caps = (Base & ~Capabilities.LongPassword) | Capabilities.SecureConnection | Capabilities.PluginAuth |
            Capabilities.MariaDbStmtBulkOperations | Capabilities.MariaDbExtendedMetadata;
        var written = new HandshakeResponse
        {
            Capabilities = caps,
            CharacterSet = 45,
            User = "app",
            AuthResponse = s_auth,
            AuthPluginName = AuthPluginNames.NativePassword,
        };

        HandshakeResponse read = RoundTrip(written, MariaDbServer);

        Assert.Equal(caps, read.Capabilities);
    }

    [Fact]
    public void Read_ServerDidNotClearBit0_IgnoresClientExtendedCapabilities()
    {
        Capabilities low = (Base & ~Capabilities.LongPassword) | Capabilities.SecureConnection;
        var written = new HandshakeResponse
        {
            Capabilities = low | Capabilities.MariaDbStmtBulkOperations,
            CharacterSet = 45,
            User = "app",
            AuthResponse = s_auth,
        };

        HandshakeResponse read = RoundTrip(written, MySqlServer);

        Assert.Equal(low, read.Capabilities);
    }

    [Fact]
    public void WriteRead_ClientSetsBit0_ExtendedCapabilitiesNotSentNorRead()
    {
        Capabilities low = Base | Capabilities.SecureConnection;
        var written = new HandshakeResponse
        {
            Capabilities = low | Capabilities.MariaDbStmtBulkOperations,
            CharacterSet = 45,
            User = "app",
            AuthResponse = s_auth,
        };
        using var writer = new PayloadWriter();
        written.Write(writer);

        HandshakeResponse read = HandshakeResponse.Read(writer.Payload, MariaDbServer);

        Assert.Equal("00000000", Hex.Of(writer.Payload.Slice(28, 4)));
        Assert.Equal(low, read.Capabilities);
    }

    [Fact]
    public void Read_MariaDbCommandLineClient_ReadsEveryField()
    {
        byte[] payload = Hex.Bytes(MariaDbCaptures.MariaDbClientHandshakeResponse);
        Capabilities server = InitialHandshake.Read(Hex.Bytes(MariaDbCaptures.Greeting)).Capabilities;

        HandshakeResponse response = HandshakeResponse.Read(payload, server);

        Assert.Equal((Capabilities)0x1D_00BF_A28CUL, response.Capabilities);
        Assert.Equal(0x00100000u, response.MaxPacketSize);
        Assert.Equal(33, response.CharacterSet);
        Assert.Equal("app", response.User);
        Assert.Equal(MariaDbCaptures.AppPasswordResponse, Hex.Of(response.AuthResponse).ToLowerInvariant());
        Assert.Equal("app", response.Database);
        Assert.Equal(AuthPluginNames.NativePassword, response.AuthPluginName);
        Assert.NotNull(response.ConnectionAttributes);
        Assert.Equal(127, response.ConnectionAttributes.Length);
        Assert.Equal(
            ["_os", "Linux", "_client_name", "libmariadb", "_pid", "31938", "_client_version", "3.3.20", "_platform", "x86_64",
             "program_name", "mysql", "_server_host", "127.0.0.1"],
            ReadAttributes(response.ConnectionAttributes));
    }

    [Fact]
    public void Write_ReadMariaDbCommandLineClient_ReproducesItByteForByte()
    {
        byte[] payload = Hex.Bytes(MariaDbCaptures.MariaDbClientHandshakeResponse);
        Capabilities server = InitialHandshake.Read(Hex.Bytes(MariaDbCaptures.Greeting)).Capabilities;
        using var writer = new PayloadWriter();

        HandshakeResponse.Read(payload, server).Write(writer);

        Assert.Equal(Hex.Of(payload), Hex.Of(writer.Payload));
    }

    [Fact]
    public void Read_WithoutProtocol41_Throws()
    {
        byte[] payload = new byte[40];
        payload[0] = (byte)Capabilities.LongPassword;

        Assert.Throws<PacketFormatException>(() => HandshakeResponse.Read(payload, MySqlServer));
    }

    [Fact]
    public void Read_Truncated_Throws()
    {
        byte[] payload = Hex.Bytes(MariaDbCaptures.MariaDbClientHandshakeResponse);
        int authEnd = 32 + 4 + 1 + 20;

        for (int length = 0; length < authEnd; length++)
        {
            byte[] truncated = payload[..length];
            Assert.Throws<PacketFormatException>(() => HandshakeResponse.Read(truncated, MariaDbServer));
        }
    }

    [Fact]
    public void IsSslRequest_32BytesWithSsl_True()
    {
        byte[] payload = SslRequest(Base | Capabilities.SecureConnection | Capabilities.Ssl);

        Assert.True(HandshakeResponse.IsSslRequest(payload));
    }

    [Fact]
    public void IsSslRequest_32BytesWithoutSsl_False()
    {
        byte[] payload = SslRequest(Base | Capabilities.SecureConnection);

        Assert.False(HandshakeResponse.IsSslRequest(payload));
    }

    [Fact]
    public void IsSslRequest_FullResponseWithSsl_False()
    {
        var response = new HandshakeResponse
        {
            Capabilities = Base | Capabilities.SecureConnection | Capabilities.Ssl,
            CharacterSet = 45,
            User = "app",
            AuthResponse = s_auth,
        };
        using var writer = new PayloadWriter();
        response.Write(writer);

        Assert.False(HandshakeResponse.IsSslRequest(writer.Payload));
        Assert.True(HandshakeResponse.IsSslRequest(writer.Payload[..32]));
    }

    private static byte[] SslRequest(Capabilities caps)
    {
        using var writer = new PayloadWriter();
        writer.Write((uint)caps).Write(0x01000000u).Write((byte)45).WriteZeros(23);
        return writer.Payload.ToArray();
    }

    private static HandshakeResponse RoundTrip(HandshakeResponse response, Capabilities server)
    {
        using var writer = new PayloadWriter();
        response.Write(writer);
        return HandshakeResponse.Read(writer.Payload, server);
    }

    private static List<string> ReadAttributes(byte[] block)
    {
        var values = new List<string>();
        var reader = new PayloadReader(block);
        while (reader.Remaining > 0)
        {
            values.Add(Encoding.UTF8.GetString(reader.ReadLengthEncodedBytes()));
        }

        return values;
    }
}
