using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.Protocol;

namespace MySqlProxy.IntegrationTests.Robustness;

/// <summary>
/// The backend is not there, or goes away: clients get a MySQL error they can read (never a dropped socket or a
/// hang), and the proxy goes on serving.
/// </summary>
public sealed class BackendFailureTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task BackendUnreachable_ClientGetsErr2003NamingBackend_ProxyKeepsAccepting()
    {
        int closedPort = FreeTcpPort();
        await using ProxyInstance proxy = await ProxyInstance.StartAsync(o => o.Backends.Primary.Port = closedPort);

        // The raw exchange: a greeting, then after a correct login an ERR in place of the OK.
        for (int i = 0; i < 3; i++)
        {
            await using RawMySqlClient client = await RawMySqlClient.ConnectAndGreetAsync(proxy.Port, Ct);
            RawPacket answer = await client.LoginAsync("app", "app", "app", AuthPluginNames.NativePassword, Ct);

            Assert.True(answer.IsErr, answer.ToString());
            Assert.Equal(ErrorCodes.CannotConnect, answer.Error.ErrorCode);
            Assert.Equal(2, answer.SequenceId);
            Assert.Contains("db1", answer.Error.Message, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{closedPort}", answer.Error.Message, StringComparison.Ordinal);
            Assert.True(await client.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5), Ct));
        }

        // What an application sees.
        await using var connection = new MySqlConnection(proxy.ConnectionString());
        var clock = Stopwatch.StartNew();
        MySqlException error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(Ct));
        Assert.Equal(2003, error.Number);
        Assert.Contains("db1", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"refusing took {clock.Elapsed}");

        // A wrong password is still refused as such, without the backend.
        await using var wrong = new MySqlConnection(proxy.ConnectionString(password: "wrong"));
        MySqlException denied = await Assert.ThrowsAsync<MySqlException>(() => wrong.OpenAsync(Ct));
        Assert.Equal(1045, denied.Number);

        await MalformedTrafficTests.WaitForSessionCountAsync(proxy, 0);
    }

    [Fact(Timeout = 60_000)]
    public async Task BackendKilledMidQuery_ClientGetsErrorNotHang_NewConnectionWorks()
    {
        string marker = $"killme_{Guid.NewGuid():N}";
        await using var client = new MySqlConnection(fixture.ConnectionString());
        await client.OpenAsync(Ct);
        await using var sleep = new MySqlCommand($"SELECT /* route=primary */ SLEEP(10) AS `{marker}`", client) { CommandTimeout = 30 };
        var clock = Stopwatch.StartNew();
        Task<object?> running = sleep.ExecuteScalarAsync(Ct);

        long threadId = await FindBackendThreadAsync(marker);
        await KillAsync($"KILL CONNECTION {threadId}");

        Exception? failure = await Record.ExceptionAsync(() => running.WaitAsync(TimeSpan.FromSeconds(8), Ct));
        Assert.IsNotType<TimeoutException>(failure);
        MySqlException error = Assert.IsType<MySqlException>(failure);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9), $"the client waited {clock.Elapsed} for its error");
        Assert.Contains(error.Number, new[] { 1927, 2013 });

        // The killed session cannot go on (its backend state is gone), but it fails fast rather than hang.
        Exception? next = await Record.ExceptionAsync(async () =>
        {
            await using var again = new MySqlCommand("SELECT 1", client);
            await again.ExecuteScalarAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        });
        Assert.IsNotType<TimeoutException>(next);

        await using var fresh = new MySqlConnection(fixture.ConnectionString());
        await fresh.OpenAsync(Ct);
        await using var probe = new MySqlCommand("SELECT 'fresh'", fresh);
        Assert.Equal("fresh", await probe.ExecuteScalarAsync(Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task BackendKilledWhileIdle_NextQueryFailsFastOrSucceeds_NeverHangs()
    {
        await using var client = new MySqlConnection(fixture.ConnectionString());
        await client.OpenAsync(Ct);
        long threadId = await FindOwnBackendThreadAsync(client);
        await KillAsync($"KILL CONNECTION {threadId}");
        await Task.Delay(200, Ct);

        // With one backend connection per session the next statement gets an error; a proxy that can move an idle
        // session to a fresh backend connection may answer it instead. Either way, at once.
        var clock = Stopwatch.StartNew();
        await using var next = new MySqlCommand("SELECT 1", client);
        Exception? failure = await Record.ExceptionAsync(() => next.ExecuteScalarAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.IsNotType<TimeoutException>(failure);
        if (failure is not null)
        {
            Assert.IsType<MySqlException>(failure);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));

        await using var fresh = new MySqlConnection(fixture.ConnectionString());
        await fresh.OpenAsync(Ct);
        await using var probe = new MySqlCommand("SELECT 2", fresh);
        Assert.Equal(2L, Convert.ToInt64(await probe.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A port nothing listens on (taken from the OS, then released).</summary>
    internal static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The primary's thread id of the backend connection running the statement that contains <paramref name="marker"/>.</summary>
    internal static async Task<long> FindBackendThreadAsync(string marker)
    {
        await using var admin = new MySqlConnection(Topology.Direct("admin", "admin"));
        await admin.OpenAsync(Ct);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using var find = new MySqlCommand(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE @pattern AND ID <> CONNECTION_ID()", admin);
            find.Parameters.AddWithValue("@pattern", $"%{marker}%");
            object? id = await find.ExecuteScalarAsync(Ct);
            if (id is not null)
            {
                return Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Fail($"no statement containing '{marker}' showed up in the primary's PROCESSLIST");
            }

            await Task.Delay(50, Ct);
        }
    }

    /// <summary>The backend thread id of a session, asked through the session itself.</summary>
    private static async Task<long> FindOwnBackendThreadAsync(MySqlConnection client)
    {
        // CONNECTION_ID() means the proxy's id, so find the statement itself in the backend's processlist.
        string marker = $"whoami_{Guid.NewGuid():N}";
        await using var who = new MySqlCommand(
            $"SELECT /* route=primary */ ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '%{marker}%'", client);
        return Convert.ToInt64(await who.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task KillAsync(string sql)
    {
        await using var admin = new MySqlConnection(Topology.Direct("admin", "admin"));
        await admin.OpenAsync(Ct);
        await using var kill = new MySqlCommand(sql, admin);
        await kill.ExecuteNonQueryAsync(Ct);
    }
}
