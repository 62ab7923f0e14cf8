using MySqlProxy.Protocol.Payloads;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests.Payloads;

public sealed class InitialHandshakeTests
{
    private const Capabilities MariaDbExtended =
        Capabilities.MariaDbProgress | Capabilities.MariaDbStmtBulkOperations | Capabilities.MariaDbExtendedMetadata |
        Capabilities.MariaDbCacheMetadata;

    private static readonly byte[] s_challenge = Hex.Bytes("0102030405060708090A0B0C0D0E0F1011121314");

    [Fact]
    public void Read_MariaDb1011Greeting_ReadsEveryField()
    {
        InitialHandshake greeting = InitialHandshake.Read(Hex.Bytes(MariaDbCaptures.Greeting));

        Assert.Equal("5.5.5-10.11.19-MariaDB-0+deb12u1-log", greeting.ServerVersion);
        Assert.Equal(81u, greeting.ConnectionId);
        Assert.Equal(MariaDbCaptures.GreetingChallenge, Hex.Of(greeting.AuthPluginData).ToLowerInvariant());
        Assert.Equal((Capabilities)0x1D_81FF_F7FEUL, greeting.Capabilities);
        Assert.True(greeting.IsMariaDbExtended);
        Assert.Equal(MariaDbExtended, greeting.Capabilities & (Capabilities)0xFFFF_FFFF_0000_0000UL);
        Assert.True((greeting.Capabilities & (Capabilities.Protocol41 | Capabilities.SecureConnection | Capabilities.PluginAuth |
            Capabilities.DeprecateEof | Capabilities.SessionTrack)) != 0);
        Assert.Equal(Capabilities.None, greeting.Capabilities & (Capabilities.LongPassword | Capabilities.Ssl));
        Assert.Equal(45, greeting.CharacterSet);
        Assert.Equal(ServerStatus.Autocommit, greeting.Status);
        Assert.Equal(AuthPluginNames.NativePassword, greeting.AuthPluginName);
    }

    [Fact]
    public void Read_MySql8Greeting_ReadsCachingSha2AndNoExtendedCapabilities()
    {
        // Laid out per the HandshakeV10 page: CLIENT_LONG_PASSWORD set, reserved bytes all zero.
        byte[] payload = Hex.Bytes(
            "0a" + "382e302e333600" + "0d000000" + "0102030405060708" + "00" + "ffff" + "ff" + "0200" + "ffdf" + "15" +
            "00000000000000000000" + "090a0b0c0d0e0f1011121314" + "00" + Hex.Of("caching_sha2_password\0"u8));

        InitialHandshake greeting = InitialHandshake.Read(payload);

        Assert.Equal("8.0.36", greeting.ServerVersion);
        Assert.Equal(13u, greeting.ConnectionId);
        Assert.Equal(s_challenge, greeting.AuthPluginData);
        Assert.Equal((Capabilities)0xDFFF_FFFFUL, greeting.Capabilities);
        Assert.False(greeting.IsMariaDbExtended);
        Assert.Equal(255, greeting.CharacterSet);
        Assert.Equal(AuthPluginNames.CachingSha2Password, greeting.AuthPluginName);
    }

    [Fact]
    public void Read_PluginNameWithoutNul_ReadsItToTheEnd()
    {
        // MySQL 5.5.7-5.5.9 left out the NUL after the plugin name (MySQL bug #59453).
        byte[] payload = Hex.Bytes(MariaDbCaptures.Greeting)[..^1];

        InitialHandshake greeting = InitialHandshake.Read(payload);

        Assert.Equal(AuthPluginNames.NativePassword, greeting.AuthPluginName);
        Assert.Equal(MariaDbCaptures.GreetingChallenge, Hex.Of(greeting.AuthPluginData).ToLowerInvariant());
    }

    [Fact]
    public void Write_ReadMariaDb1011Greeting_ReproducesItByteForByte()
    {
        byte[] captured = Hex.Bytes(MariaDbCaptures.Greeting);
        using var writer = new PayloadWriter();

        InitialHandshake.Read(captured).Write(writer);

        Assert.Equal(Hex.Of(captured), Hex.Of(writer.Payload));
    }

    [Fact]
    public void WriteRead_MariaDbStyle_ExtendedCapabilitiesSurvive()
    {
        Capabilities caps = Capabilities.Protocol41 | Capabilities.SecureConnection | Capabilities.PluginAuth |
            Capabilities.DeprecateEof | Capabilities.Transactions | MariaDbExtended;
        InitialHandshake written = Greeting(caps, ServerStatus.Autocommit | ServerStatus.InTransaction);

        InitialHandshake read = RoundTrip(written);

        Assert.True(read.IsMariaDbExtended);
        Assert.Equal(caps, read.Capabilities);
        AssertSameExceptCapabilities(written, read);
    }

    [Fact]
    public void WriteRead_MySqlStyle_HighBitsAreNotSentNorRead()
    {
        Capabilities low = Capabilities.LongPassword | Capabilities.Protocol41 | Capabilities.SecureConnection |
            Capabilities.PluginAuth | Capabilities.DeprecateEof | Capabilities.RememberOptions;
        InitialHandshake written = Greeting(low | MariaDbExtended, ServerStatus.Autocommit);
        using var writer = new PayloadWriter();
        written.Write(writer);

        InitialHandshake read = InitialHandshake.Read(writer.Payload);

        Assert.False(read.IsMariaDbExtended);
        Assert.Equal(low, read.Capabilities);
        AssertSameExceptCapabilities(written, read);

        // The 4 extended-capability bytes (after the 6 reserved ones) go out as zeros.
        int extended = 1 + written.ServerVersion.Length + 1 + 4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 6;
        Assert.Equal("00000000", Hex.Of(writer.Payload.Slice(extended, 4)));
    }

    [Fact]
    public void Read_MySqlStyleWithGarbageInExtendedBytes_IgnoresThem()
    {
        byte[] payload = Hex.Bytes(MariaDbCaptures.Greeting);
        int capsLow = 1 + "5.5.5-10.11.19-MariaDB-0+deb12u1-log".Length + 1 + 4 + 8 + 1;
        payload[capsLow] |= 0x01; // CLIENT_LONG_PASSWORD: a MySQL server; bytes 6-9 of the reserved block mean nothing

        InitialHandshake greeting = InitialHandshake.Read(payload);

        Assert.False(greeting.IsMariaDbExtended);
        Assert.Equal((Capabilities)0x81FF_F7FFUL, greeting.Capabilities);
    }

    [Fact]
    public void WriteRead_CachingSha2Plugin_KeepsPluginName()
    {
        InitialHandshake written = Greeting(Capabilities.LongPassword | Capabilities.Protocol41 | Capabilities.SecureConnection |
            Capabilities.PluginAuth, ServerStatus.None, AuthPluginNames.CachingSha2Password);

        InitialHandshake read = RoundTrip(written);

        Assert.Equal(AuthPluginNames.CachingSha2Password, read.AuthPluginName);
        Assert.Equal(s_challenge, read.AuthPluginData);
    }

    [Fact]
    public void Read_ErrInsteadOfGreeting_ThrowsMySqlError()
    {
        // ER_HOST_IS_BLOCKED as a server sends it before the handshake: no SQLSTATE marker.
        byte[] payload = [0xFF, 0x69, 0x04, .. "Host is blocked"u8];

        MySqlErrorException error = Assert.Throws<MySqlErrorException>(() => InitialHandshake.Read(payload));

        Assert.Equal(1129, error.ErrorCode);
        Assert.Equal("HY000", error.SqlState);
        Assert.Equal("Host is blocked", error.Message);
    }

    [Fact]
    public void Read_ProtocolVersion9_Throws()
    {
        byte[] payload = Hex.Bytes(MariaDbCaptures.Greeting);
        payload[0] = 9;

        Assert.Throws<PacketFormatException>(() => InitialHandshake.Read(payload));
    }

    [Fact]
    public void Read_TruncatedInFixedPart_Throws()
    {
        byte[] payload = Hex.Bytes(MariaDbCaptures.Greeting);
        int capabilitiesEnd = 1 + 36 + 1 + 4 + 8 + 1 + 2;
        int extendedEnd = capabilitiesEnd + 1 + 2 + 2 + 1 + 6 + 4;

        for (int length = 0; length < extendedEnd; length++)
        {
            if (length == capabilitiesEnd)
            {
                continue; // a pre-4.1 greeting legitimately ends here
            }

            byte[] truncated = payload[..length];
            Assert.Throws<PacketFormatException>(() => InitialHandshake.Read(truncated));
        }
    }

    [Fact]
    public void Read_EndsAfterLowCapabilities_TakesPart1AsChallenge()
    {
        byte[] payload = Hex.Bytes(MariaDbCaptures.Greeting)[..(1 + 36 + 1 + 4 + 8 + 1 + 2)];

        InitialHandshake greeting = InitialHandshake.Read(payload);

        Assert.Equal("736a387872573d67", Hex.Of(greeting.AuthPluginData).ToLowerInvariant());
        Assert.Equal(AuthPluginNames.NativePassword, greeting.AuthPluginName);
        Assert.Equal(0, greeting.CharacterSet);
    }

    private static InitialHandshake Greeting(Capabilities caps, ServerStatus status, string plugin = AuthPluginNames.NativePassword) => new()
    {
        ServerVersion = "11.4.2-MariaDB-test",
        ConnectionId = 0xDEADBEEF,
        AuthPluginData = s_challenge,
        Capabilities = caps,
        CharacterSet = 224,
        Status = status,
        AuthPluginName = plugin,
    };

    private static InitialHandshake RoundTrip(InitialHandshake greeting)
    {
        using var writer = new PayloadWriter();
        greeting.Write(writer);
        return InitialHandshake.Read(writer.Payload);
    }

    private static void AssertSameExceptCapabilities(InitialHandshake expected, InitialHandshake actual)
    {
        Assert.Equal(expected.ServerVersion, actual.ServerVersion);
        Assert.Equal(expected.ConnectionId, actual.ConnectionId);
        Assert.Equal(expected.AuthPluginData, actual.AuthPluginData);
        Assert.Equal(expected.CharacterSet, actual.CharacterSet);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.AuthPluginName, actual.AuthPluginName);
    }
}
