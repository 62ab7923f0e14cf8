using System.Diagnostics;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.Protocol;

namespace MySqlProxy.IntegrationTests.Robustness;

/// <summary>
/// Sessions that end badly or in crowds: clients that vanish mid-statement or mid-login, connection churn,
/// the connection limit, pipelined commands. Nothing may leak (sessions, backend connections) or stall others.
/// </summary>
public sealed class SessionLifecycleTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task ClientGoneMidStatement_BackendStatementEndsLikeDirect()
    {
        await using ProxyInstance proxy = await ProxyInstance.StartAsync();
        string marker = $"gone_{Guid.NewGuid():N}";
        await using (RawMySqlClient client = await RawMySqlClient.LoginAsync(proxy.Port, Ct))
        {
            await client.SendCommandAsync(CommandCode.Query, $"SELECT /* route=primary */ SLEEP(20) /* {marker} */", Ct);
            await BackendFailureTests.FindBackendThreadAsync(marker);
        }

        // MariaDB notices a vanished client within about 5 s and stops its statement; the proxy must not do worse.
        var clock = Stopwatch.StartNew();
        while (await StatementRunningAsync(marker))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the backend still runs the statement of a client that left {clock.Elapsed} ago");
            await Task.Delay(250, Ct);
        }

        await MalformedTrafficTests.WaitForSessionCountAsync(proxy, 0);
    }

    [Fact(Timeout = 60_000)]
    public async Task ClientGoneMidStatement_StatementAndSessionEventuallyReleased()
    {
        await using ProxyInstance proxy = await ProxyInstance.StartAsync();
        string marker = $"gone_{Guid.NewGuid():N}";
        await using (RawMySqlClient client = await RawMySqlClient.LoginAsync(proxy.Port, Ct))
        {
            await client.SendCommandAsync(CommandCode.Query, $"SELECT /* route=primary */ SLEEP(2) /* {marker} */", Ct);
            await BackendFailureTests.FindBackendThreadAsync(marker);
        }

        var clock = Stopwatch.StartNew();
        while (await StatementRunningAsync(marker))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the statement outlived its client by {clock.Elapsed}");
            await Task.Delay(250, Ct);
        }

        await MalformedTrafficTests.WaitForSessionCountAsync(proxy, 0);
        await AssertNewSessionWorksAsync(proxy.Port);
    }

    [Fact(Timeout = 60_000)]
    public async Task ConnectionChurn_AbruptAndClean_NoSessionLeaks()
    {
        await using ProxyInstance proxy = await ProxyInstance.StartAsync();

        // 40 clients at once, 5 rounds each: some quit properly, some vanish after a statement, some vanish right
        // after the greeting, some connect and close without reading anything (TCP health checks).
        await Parallel.ForAsync(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 40, CancellationToken = Ct }, async (i, ct) =>
        {
            for (int round = 0; round < 5; round++)
            {
                switch ((i + round) % 4)
                {
                    case 0:
                        await using (var connection = new MySqlConnection(proxy.ConnectionString()))
                        {
                            await connection.OpenAsync(ct);
                            await using var command = new MySqlCommand("SELECT 1", connection);
                            Assert.Equal(1, Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture));
                        }

                        break;
                    case 1:
                        await using (RawMySqlClient raw = await RawMySqlClient.LoginAsync(proxy.Port, ct))
                        {
                            await raw.SendCommandAsync(CommandCode.Query, "DO 1", ct);
                        }

                        break;
                    case 2:
                        await using (await RawMySqlClient.ConnectAndGreetAsync(proxy.Port, ct))
                        {
                        }

                        break;
                    default:
                        await using (await RawMySqlClient.ConnectAsync(proxy.Port, ct))
                        {
                        }

                        break;
                }
            }
        });

        await MalformedTrafficTests.WaitForSessionCountAsync(proxy, 0);
        await AssertNewSessionWorksAsync(proxy.Port);
    }

    [Fact(Timeout = 60_000)]
    public async Task MaxConnections_ExtraClientGetsErr1040_ThenServedOnceOneLeaves()
    {
        await using ProxyInstance proxy = await ProxyInstance.StartAsync(o => o.Sessions.MaxConnections = 2);
        await using var first = new MySqlConnection(proxy.ConnectionString());
        await first.OpenAsync(Ct);
        await using var second = new MySqlConnection(proxy.ConnectionString());
        await second.OpenAsync(Ct);

        await using (RawMySqlClient third = await RawMySqlClient.ConnectAsync(proxy.Port, Ct))
        {
            RawPacket answer = await third.ExpectPacketAsync(TimeSpan.FromSeconds(5), Ct);
            Assert.True(answer.IsErr, answer.ToString());
            Assert.Equal(ErrorCodes.TooManyConnections, answer.Error.ErrorCode);
            Assert.Equal("08004", answer.Error.SqlState);
            Assert.Equal("Too many connections", answer.Error.Message);
            Assert.True(await third.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5), Ct));
        }

        await using (var fourth = new MySqlConnection(proxy.ConnectionString()))
        {
            MySqlException refused = await Assert.ThrowsAsync<MySqlException>(() => fourth.OpenAsync(Ct));
            Assert.Equal(1040, refused.Number);
        }

        await first.CloseAsync();
        await MalformedTrafficTests.WaitForSessionCountAsync(proxy, 1);
        await using var fifth = new MySqlConnection(proxy.ConnectionString());
        await fifth.OpenAsync(Ct);
        await using var command = new MySqlCommand("SELECT 5", fifth);
        Assert.Equal(5, Convert.ToInt32(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact(Timeout = 60_000)]
    public async Task PipelinedCommands_InOneWrite_AnsweredInOrderLikeDirect()
    {
        string direct = await RunPipelineAsync(Topology.Primary.Port);
        string proxied = await RunPipelineAsync(fixture.Proxy.Port);

        Assert.Equal(direct, proxied);

        static async Task<string> RunPipelineAsync(int port)
        {
            await using RawMySqlClient client = await RawMySqlClient.LoginAsync(port, Ct);
            byte[] ping = Frame([(byte)CommandCode.Ping]);
            byte[] doOne = Frame([(byte)CommandCode.Query, .. "DO 1"u8]);
            byte[] bad = Frame([(byte)CommandCode.Query, .. "DO no_such_function_pipelined()"u8]);
            byte[] initDb = Frame([(byte)CommandCode.InitDb, .. "app"u8]);
            await client.WriteRawAsync([.. ping, .. doOne, .. bad, .. initDb, .. ping], Ct);

            var answers = new List<string>();
            for (int i = 0; i < 5; i++)
            {
                RawPacket packet = await client.ExpectPacketAsync(TimeSpan.FromSeconds(10), Ct);
                answers.Add(packet.IsErr ? $"{packet.SequenceId} {packet.Error.ErrorCode}" : $"{packet.SequenceId} {(packet.IsOk ? "OK" : "?")}");
            }

            return string.Join(", ", answers);
        }

        static byte[] Frame(byte[] payload)
        {
            byte[] packet = new byte[PacketHeader.Size + payload.Length];
            PacketHeader.Write(packet, payload.Length, 0);
            payload.CopyTo(packet, PacketHeader.Size);
            return packet;
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task OversizedHandshakeResponse_RefusedAndClosed_ProxyKeepsServing()
    {
        await using ProxyInstance proxy = await ProxyInstance.StartAsync();
        await using (RawMySqlClient client = await RawMySqlClient.ConnectAndGreetAsync(proxy.Port, Ct))
        {
            // A "login" of 1 MiB: no real handshake response comes near that.
            byte[] huge = new byte[1 << 20];
            huge.AsSpan().Fill(0x41);
            try
            {
                await client.WritePacketAsync(1, huge, Ct);
            }
            catch (IOException)
            {
                // The proxy may close before it has read everything.
            }

            Assert.True(await client.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(10), Ct), "the proxy kept a 1 MiB login open");
        }

        await MalformedTrafficTests.WaitForSessionCountAsync(proxy, 0);
        await AssertNewSessionWorksAsync(proxy.Port);
    }

    /// <summary>Whether any backend thread on the primary is still running the statement tagged <paramref name="marker"/>.</summary>
    private static async Task<bool> StatementRunningAsync(string marker)
    {
        await using var admin = new MySqlConnection(Topology.Direct("admin", "admin"));
        await admin.OpenAsync(Ct);
        await using var find = new MySqlCommand(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE @pattern AND ID <> CONNECTION_ID()", admin);
        find.Parameters.AddWithValue("@pattern", $"%{marker}%");
        return Convert.ToInt64(await find.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static async Task AssertNewSessionWorksAsync(int port)
    {
        await using RawMySqlClient client = await RawMySqlClient.LoginAsync(port, Ct);
        Assert.True((await client.PingAsync(Ct)).IsOk);
    }
}
