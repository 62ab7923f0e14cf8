using System.Diagnostics;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.IntegrationTests.Robustness;

/// <summary>
/// Traffic no real driver sends, from a scripted client on a bare socket: the proxy answers the way the server
/// does (compared with MariaDB direct where the server's answer is meaningful), drops only the offending
/// session, and keeps serving every other one.
/// </summary>
public sealed class MalformedTrafficTests(ProxyFixture fixture)
{
    private static readonly TimeSpan s_closeWithin = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task CommandWithSequenceId5_GetsPacketsOutOfOrderAndClose_OtherSessionsUnaffected()
    {
        await using ProxyInstance proxy = await ProxyInstance.StartAsync();
        await using MySqlConnection bystander = await OpenAsync(proxy.ConnectionString());

        ErrPayload direct = await SendOutOfOrderAsync(Topology.Primary.Port);
        ErrPayload proxied = await SendOutOfOrderAsync(proxy.Port);

        Assert.Equal(ErrorCodes.PacketsOutOfOrder, proxied.ErrorCode);
        Assert.Equal("08S01", proxied.SqlState);
        Assert.Equal(direct.ToString(), proxied.ToString());
        await AssertServesAsync(bystander);
        await AssertNewSessionWorksAsync(proxy.Port);
        await WaitForSessionCountAsync(proxy, 1);

        static async Task<ErrPayload> SendOutOfOrderAsync(int port)
        {
            await using RawMySqlClient client = await RawMySqlClient.LoginAsync(port, Ct);
            await client.SendCommandAsync(CommandCode.Query, "SELECT 1", Ct, sequenceId: 5);
            RawPacket answer = await client.ExpectPacketAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.True(answer.IsErr, answer.ToString());
            Assert.True(await client.ClosedByPeerWithinAsync(s_closeWithin, Ct), "the connection stayed open after 'Got packets out of order'");
            return answer.Error;
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task TruncatedCommandPacketThenClose_ProxyKeepsServing()
    {
        await using ProxyInstance proxy = await ProxyInstance.StartAsync();
        await using MySqlConnection bystander = await OpenAsync(proxy.ConnectionString());

        await using (RawMySqlClient client = await RawMySqlClient.LoginAsync(proxy.Port, Ct))
        {
            // A COM_QUERY header announcing 100 bytes, then 10 of them, then the end of the stream.
            byte[] packet = new byte[PacketHeader.Size + 10];
            PacketHeader.Write(packet, 100, 0);
            packet[PacketHeader.Size] = (byte)CommandCode.Query;
            "SELECT 1 "u8.CopyTo(packet.AsSpan(PacketHeader.Size + 1));
            await client.WriteRawAsync(packet, Ct);
            client.ShutdownSend();
            Assert.True(await client.ClosedByPeerWithinAsync(s_closeWithin, Ct), "the proxy kept a half-sent command's session open");
        }

        await WaitForSessionCountAsync(proxy, 1);
        await AssertServesAsync(bystander);
        await AssertNewSessionWorksAsync(proxy.Port);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(3)]
    [InlineData(20)]
    public async Task TruncatedHandshakeResponseThenClose_ProxyKeepsServing(int bytesSent)
    {
        await using ProxyInstance proxy = await ProxyInstance.StartAsync();
        await using MySqlConnection bystander = await OpenAsync(proxy.ConnectionString());

        await using (RawMySqlClient client = await RawMySqlClient.ConnectAndGreetAsync(proxy.Port, Ct))
        {
            // A header announcing 200 bytes (or only part of the header), then the end of the stream.
            byte[] packet = new byte[Math.Max(bytesSent, PacketHeader.Size)];
            PacketHeader.Write(packet, 200, 1);
            await client.WriteRawAsync(packet[..bytesSent], Ct);
            client.ShutdownSend();
            Assert.True(await client.ClosedByPeerWithinAsync(s_closeWithin, Ct), "the proxy kept a half-sent login's session open");
        }

        await WaitForSessionCountAsync(proxy, 1);
        await AssertServesAsync(bystander);
        await AssertNewSessionWorksAsync(proxy.Port);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(0x99)]
    [InlineData(0xFF)]
    [InlineData((int)CommandCode.Time)]
    public async Task UnknownCommandByte_GetsErr1047LikeDirect_SessionStaysUsable(int command)
    {
        ErrPayload direct = await SendCommandExpectErrAsync(Topology.Primary.Port, [(byte)command, 1, 2, 3]);
        ErrPayload proxied = await SendCommandExpectErrAsync(fixture.Proxy.Port, [(byte)command, 1, 2, 3]);

        Assert.Equal(ErrorCodes.UnknownCommand, proxied.ErrorCode);
        Assert.Equal("08S01", proxied.SqlState);
        Assert.Equal(direct.ToString(), proxied.ToString());
    }

    [Theory(Timeout = 60_000)]
    [InlineData((int)CommandCode.BinlogDump)]
    [InlineData((int)CommandCode.BinlogDumpGtid)]
    [InlineData((int)CommandCode.RegisterSlave)]
    public async Task ReplicationCommand_GetsErr1047_SessionStaysUsable(int command)
    {
        // The server answers app's COM_BINLOG_DUMP with "need REPLICATION SLAVE"; the proxy refuses replication
        // commands outright (they would turn the session into a binlog stream it cannot relay).
        byte[] payload = new byte[11];
        payload[0] = (byte)command;
        payload[1] = 4;
        ErrPayload proxied = await SendCommandExpectErrAsync(fixture.Proxy.Port, payload);

        Assert.Equal(ErrorCodes.UnknownCommand, proxied.ErrorCode);
        Assert.Equal("08S01", proxied.SqlState);
        Assert.Equal("Unknown command", proxied.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task EmptyCommandPacket_GetsErrLikeDirect_SessionStaysUsable()
    {
        ErrPayload direct = await SendCommandExpectErrAsync(Topology.Primary.Port, []);
        ErrPayload proxied = await SendCommandExpectErrAsync(fixture.Proxy.Port, []);

        Assert.Equal(direct.ToString(), proxied.ToString());
        Assert.Equal(ErrorCodes.UnknownCommand, proxied.ErrorCode);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("0102030405")]
    [InlineData("00020000")]
    [InlineData("0082ffff00000001212121")]
    public async Task GarbageHandshakeResponse_GetsBadHandshakeAndClose(string garbageHex)
    {
        await using ProxyInstance proxy = await ProxyInstance.StartAsync();
        await using MySqlConnection bystander = await OpenAsync(proxy.ConnectionString());

        ErrPayload proxied = await SendGarbageLoginAsync(proxy.Port, Convert.FromHexString(garbageHex));

        Assert.Equal("08S01", proxied.SqlState);
        Assert.Equal("Bad handshake", proxied.Message);
        await WaitForSessionCountAsync(proxy, 1);
        await AssertServesAsync(bystander);
        await AssertNewSessionWorksAsync(proxy.Port);
    }

    [Fact(Timeout = 60_000)]
    public async Task GarbageHandshakeResponse_ErrMatchesDirect()
    {
        byte[] garbage = Convert.FromHexString("0102030405");

        ErrPayload direct = await SendGarbageLoginAsync(Topology.Primary.Port, garbage);
        ErrPayload proxied = await SendGarbageLoginAsync(fixture.Proxy.Port, garbage);

        Assert.Equal(direct.ToString(), proxied.ToString());
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SilentClient_DroppedAfterLoginTimeout_OthersUnaffected(bool sendsHalfAPacket)
    {
        await using ProxyInstance proxy = await ProxyInstance.StartAsync();
        await using MySqlConnection bystander = await OpenAsync(proxy.ConnectionString());
        await using RawMySqlClient silent = await RawMySqlClient.ConnectAndGreetAsync(proxy.Port, Ct);
        var clock = Stopwatch.StartNew();
        if (sendsHalfAPacket)
        {
            await silent.WriteRawAsync([0x40, 0x00, 0x00, 0x01, 0x05, 0xA6], Ct);
        }

        // While the silent client hangs in its login, everyone else is served.
        Task<bool> dropped = silent.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(25), Ct);
        await AssertServesAsync(bystander);
        await AssertNewSessionWorksAsync(proxy.Port);
        Assert.False(dropped.IsCompleted, "the silent client was dropped before the login timeout");

        Assert.True(await dropped, "the silent client was not dropped within 25 s");
        TimeSpan waited = clock.Elapsed;
        Assert.InRange(waited, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(15));
        await WaitForSessionCountAsync(proxy, 1);
        await AssertServesAsync(bystander);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(AuthPluginNames.CachingSha2Password)]
    [InlineData(AuthPluginNames.Ed25519)]
    [InlineData(AuthPluginNames.Sha256Password)]
    [InlineData("some_future_plugin")]
    public async Task ClientStartingWithOtherPlugin_SwitchedToNativePassword_LogsIn(string plugin)
    {
        await using RawMySqlClient client = await RawMySqlClient.ConnectAndGreetAsync(fixture.Proxy.Port, Ct);

        RawPacket answer = await client.LoginAsync("app", "app", "app", plugin, Ct);

        Assert.Equal(AuthPluginNames.NativePassword, client.SwitchedToPlugin);
        Assert.Equal(NativePassword.ScrambleLength, client.SwitchChallenge!.Length);
        Assert.NotEqual(client.Greeting!.AuthPluginData, client.SwitchChallenge);
        Assert.True(answer.IsOk, answer.ToString());
        Assert.Equal(4, answer.SequenceId);
        Assert.True((await client.PingAsync(Ct)).IsOk);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(AuthPluginNames.CachingSha2Password)]
    [InlineData(AuthPluginNames.Ed25519)]
    public async Task ClientStartingWithOtherPlugin_WrongPasswordAfterSwitch_GetsAccessDeniedLikeDirect(string plugin)
    {
        ErrPayload direct = await LoginWithPluginExpectErrAsync(Topology.Primary.Port);
        ErrPayload proxied = await LoginWithPluginExpectErrAsync(fixture.Proxy.Port);

        Assert.Equal(ErrorCodes.AccessDenied, proxied.ErrorCode);
        Assert.Equal(direct.ToString(), proxied.ToString());

        async Task<ErrPayload> LoginWithPluginExpectErrAsync(int port)
        {
            await using RawMySqlClient client = await RawMySqlClient.ConnectAndGreetAsync(port, Ct);
            RawPacket answer = await client.LoginAsync("app", "not-app", "app", plugin, Ct);
            Assert.Equal(AuthPluginNames.NativePassword, client.SwitchedToPlugin);
            Assert.True(answer.IsErr, answer.ToString());
            return answer.Error;
        }
    }

    /// <summary>Logs in, sends one raw command payload, expects an ERR, and checks the session still answers a ping.</summary>
    private static async Task<ErrPayload> SendCommandExpectErrAsync(int port, byte[] payload)
    {
        await using RawMySqlClient client = await RawMySqlClient.LoginAsync(port, Ct);
        await client.WritePacketAsync(0, payload, Ct);
        RawPacket answer = await client.ExpectPacketAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(answer.IsErr, answer.ToString());
        Assert.Equal(1, answer.SequenceId);

        RawPacket pong = await client.PingAsync(Ct);
        Assert.True(pong.IsOk, $"after the ERR the session did not answer COM_PING with OK: {pong}");
        return answer.Error;
    }

    /// <summary>Sends <paramref name="garbage"/> as the handshake response, expects an ERR and the connection closed.</summary>
    private static async Task<ErrPayload> SendGarbageLoginAsync(int port, byte[] garbage)
    {
        await using RawMySqlClient client = await RawMySqlClient.ConnectAndGreetAsync(port, Ct);
        await client.WritePacketAsync(1, garbage, Ct);
        RawPacket answer = await client.ExpectPacketAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(answer.IsErr, answer.ToString());
        Assert.Equal(2, answer.SequenceId);
        Assert.True(await client.ClosedByPeerWithinAsync(s_closeWithin, Ct), "the connection stayed open after 'Bad handshake'");
        return answer.Error;
    }

    private static async Task<MySqlConnection> OpenAsync(string connectionString)
    {
        var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }

    private static async Task AssertServesAsync(MySqlConnection connection)
    {
        await using var command = new MySqlCommand("SELECT CONCAT('alive ', 41 + 1)", connection);
        Assert.Equal("alive 42", await command.ExecuteScalarAsync(Ct));
    }

    private static async Task AssertNewSessionWorksAsync(int port)
    {
        await using RawMySqlClient client = await RawMySqlClient.LoginAsync(port, Ct);
        Assert.True((await client.PingAsync(Ct)).IsOk);
    }

    /// <summary>Waits until the proxy holds exactly <paramref name="expected"/> sessions (the broken ones are cleaned up).</summary>
    internal static async Task WaitForSessionCountAsync(ProxyInstance proxy, int expected)
    {
        var clock = Stopwatch.StartNew();
        while (proxy.Listener.SessionCount != expected)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Fail($"the proxy still holds {proxy.Listener.SessionCount} sessions, expected {expected}");
            }

            await Task.Delay(50, Ct);
        }
    }
}
