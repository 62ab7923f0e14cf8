using System.Diagnostics;
using System.Globalization;
using MySqlConnector;
using MySqlProxy.Core.Sessions;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Pooling;

/// <summary>
/// KILL [QUERY] with a client's proxy id on shared backend connections: it reaches the backend connection
/// that runs that client's statement at that moment, and never the statement of another client.
/// </summary>
public sealed class KillTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Waits until a statement carrying <paramref name="marker"/> runs on the primary; returns its thread id.</summary>
    private static async Task<long> BackendThreadOfAsync(string marker)
    {
        await using MySqlConnection admin = await Db.OpenAsync(Topology.Direct("admin", "admin"), Ct);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            object? id = await Db.ScalarAsync(admin,
                $"SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '%{marker}%' AND INFO NOT LIKE '%PROCESSLIST%'", Ct);
            if (id is not null)
            {
                return Convert.ToInt64(id, CultureInfo.InvariantCulture);
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"no statement {marker} on the primary");
            await Task.Delay(25, Ct);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task KillQuery_ProxyId_StopsOnlyThatClientsStatement()
    {
        await using ProxyInstance proxy = await Pooled.StartAsync(maxPerBackend: 3, borrowTimeoutSeconds: 10);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        await using MySqlConnection killer = await Pooled.OpenAsync(proxy);
        string markerA = $"kill_a_{Guid.NewGuid():N}";
        string markerB = $"kill_b_{Guid.NewGuid():N}";

        Task<long> sleepA = Pooled.LongAsync(a, $"SELECT SLEEP(30) /* {markerA} */");
        long threadA = await BackendThreadOfAsync(markerA);
        var clockB = Stopwatch.StartNew();
        Task<long> sleepB = Pooled.LongAsync(b, $"SELECT SLEEP(3) /* {markerB} */");
        long threadB = await BackendThreadOfAsync(markerB);
        Assert.NotEqual(threadA, threadB);

        // The session of A holds exactly the backend connection that runs its statement.
        ClientSession sessionA = Pooled.Session(proxy, a);
        Assert.Equal(threadA, (long)sessionA.Backend!.ThreadId);

        var clockA = Stopwatch.StartNew();
        await Pooled.ExecAsync(killer, $"KILL QUERY {a.ServerThread}");
        var error = await Assert.ThrowsAsync<MySqlException>(() => sleepA);
        Assert.Equal(MySqlErrorCode.QueryInterrupted, error.ErrorCode);
        Assert.True(clockA.Elapsed < TimeSpan.FromSeconds(5), $"A's statement ended only after {clockA.Elapsed}");

        // B's statement ran to its end (SLEEP returns 0, not 1 as an interrupted one would).
        Assert.Equal(0L, await sleepB);
        Assert.True(clockB.Elapsed >= TimeSpan.FromSeconds(2.9), $"B's statement ended early, after {clockB.Elapsed}");

        // KILL QUERY leaves the connections alive.
        await Pooled.AssertRunsAsync(a);
        await Pooled.AssertRunsAsync(b);
    }

    [Fact(Timeout = 120_000)]
    public async Task KillQuery_AfterTheClientMovedToAnotherConnection_FollowsIt()
    {
        // A's first statement runs on connection 1, which B then takes for its long statement; A's own long
        // statement runs on connection 2. KILL QUERY of A must hit connection 2, not the one A used before.
        await using ProxyInstance proxy = await Pooled.StartAsync(maxPerBackend: 3, borrowTimeoutSeconds: 10);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        await using MySqlConnection killer = await Pooled.OpenAsync(proxy);
        string markerA = $"move_a_{Guid.NewGuid():N}";
        string markerB = $"move_b_{Guid.NewGuid():N}";

        string firstOfA = Db.UniqueName("first");
        Assert.Equal(1L, await Pooled.LongAsync(a, $"SELECT 1 /* {firstOfA} */"));
        Task<long> sleepB = Pooled.LongAsync(b, $"SELECT SLEEP(4) /* {markerB} */");
        long threadB = await BackendThreadOfAsync(markerB);
        Task<long> sleepA = Pooled.LongAsync(a, $"SELECT SLEEP(30) /* {markerA} */");
        long threadA = await BackendThreadOfAsync(markerA);
        Assert.NotEqual(threadA, threadB);

        await Pooled.ExecAsync(killer, $"KILL QUERY {a.ServerThread}");
        var error = await Assert.ThrowsAsync<MySqlException>(() => sleepA);
        Assert.Equal(MySqlErrorCode.QueryInterrupted, error.ErrorCode);
        Assert.Equal(0L, await sleepB);
        await Pooled.AssertRunsAsync(a);
    }

    [Fact(Timeout = 120_000)]
    public async Task KillQuery_IdleClient_TouchesNobodyElse()
    {
        // The target holds no backend connection between statements: nothing runs, nothing is killed.
        await using ProxyInstance proxy = await Pooled.StartAsync(maxPerBackend: 3, borrowTimeoutSeconds: 10);
        await using MySqlConnection idle = await Pooled.OpenAsync(proxy);
        await using MySqlConnection busy = await Pooled.OpenAsync(proxy);
        await using MySqlConnection killer = await Pooled.OpenAsync(proxy);
        string marker = $"idle_{Guid.NewGuid():N}";
        Assert.Equal(1L, await Pooled.LongAsync(idle, "SELECT 1"));
        Task<long> sleep = Pooled.LongAsync(busy, $"SELECT SLEEP(2) /* {marker} */");
        await BackendThreadOfAsync(marker);
        await Pooled.ExecAsync(killer, $"KILL QUERY {idle.ServerThread}");
        Assert.Equal(0L, await sleep);
        await Pooled.AssertRunsAsync(idle);
    }

    [Fact(Timeout = 120_000)]
    public async Task CommandTimeout_ConnectorCancelsWithProxyId_OtherClientUnaffected()
    {
        // MySqlConnector cancels a timed-out command with KILL QUERY <its connection id> on a new connection:
        // that id is the proxy's, and the kill must land on the right backend connection.
        await using ProxyInstance proxy = await Pooled.StartAsync(maxPerBackend: 3, borrowTimeoutSeconds: 10);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        string markerB = $"timeout_b_{Guid.NewGuid():N}";
        Task<long> sleepB = Pooled.LongAsync(b, $"SELECT SLEEP(4) /* {markerB} */");
        await BackendThreadOfAsync(markerB);

        var clock = Stopwatch.StartNew();
        await using (var command = new MySqlCommand("SELECT SLEEP(30)", a) { CommandTimeout = 1 })
        {
            var error = await Assert.ThrowsAsync<MySqlException>(() => command.ExecuteScalarAsync(Ct));
            Assert.Equal(MySqlErrorCode.CommandTimeoutExpired, error.ErrorCode);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the timed-out command took {clock.Elapsed}");
        Assert.Equal(0L, await sleepB);
        await Pooled.AssertRunsAsync(a);
    }

    [Fact(Timeout = 120_000)]
    public async Task KillConnection_ProxyId_EndsThatClientOnly()
    {
        await using ProxyInstance proxy = await Pooled.StartAsync(maxPerBackend: 3, borrowTimeoutSeconds: 10);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        await using MySqlConnection killer = await Pooled.OpenAsync(proxy);
        uint idA = (uint)a.ServerThread;
        string markerA = $"killc_a_{Guid.NewGuid():N}";
        string markerB = $"killc_b_{Guid.NewGuid():N}";
        Task<long> sleepA = Pooled.LongAsync(a, $"SELECT SLEEP(30) /* {markerA} */");
        Task<long> sleepB = Pooled.LongAsync(b, $"SELECT SLEEP(3) /* {markerB} */");
        await BackendThreadOfAsync(markerA);
        await BackendThreadOfAsync(markerB);

        var clock = Stopwatch.StartNew();
        await Pooled.ExecAsync(killer, $"KILL {idA}");

        // As from the server itself: an ERR (connection killed) or just the end of the connection.
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => sleepA);
        Assert.True(error is MySqlException or MySqlEndOfStreamException, $"unexpected {error}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"A's statement ended only after {clock.Elapsed}");
        Assert.Equal(0L, await sleepB);
        await Pooled.AssertRunsAsync(b);
        clock.Restart();
        while (proxy.Listener.Context.Sessions.TryGet(idA, out _))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the killed session is still registered");
            await Task.Delay(25, Ct);
        }
    }
}
