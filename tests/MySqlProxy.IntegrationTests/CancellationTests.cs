using System.Diagnostics;
using System.Globalization;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>
/// Stopping statements: MySqlConnector's CommandTimeout, MySqlCommand.Cancel() and cancellation tokens (which
/// open a second connection and send KILL QUERY with the first one's ServerThread id), KILL [QUERY] from
/// the application, and CONNECTION_ID(), all in the proxy's connection ids.
/// </summary>
public sealed class CancellationTests(ProxyFixture fixture)
{
    private static readonly TimeSpan s_promptly = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task CommandTimeout_StopsLongQuery_SameAsDirect()
    {
        (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            string marker = Db.UniqueName("timeout");
            await using var connection = await Db.OpenAsync(cs, Ct);
            await using var command = new MySqlCommand($"SELECT SLEEP(30) AS {marker}", connection) { CommandTimeout = 1 };
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<MySqlException>(() => command.ExecuteScalarAsync(Ct));
            Assert.True(watch.Elapsed < s_promptly, $"the statement ran {watch.Elapsed}");
            await AssertNotRunningAsync(marker);
            return $"{error.ErrorCode} {error.Message} | {connection.State} | {await Db.ScalarAsync(connection, "SELECT 'in step'", Ct)}";
        });
        Assert.Equal(direct, proxy);
        Assert.StartsWith($"{MySqlErrorCode.CommandTimeoutExpired} ", proxy, StringComparison.Ordinal);
        Assert.EndsWith(" | Open | in step", proxy, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CommandCancel_FromAnotherTask_StopsLongQuery_SameAsDirect(bool prepare)
    {
        (string direct, string proxy) = await Db.BothAsync(fixture, prepare ? Db.Prepared : string.Empty, async cs =>
        {
            string marker = Db.UniqueName("cancel");
            await using var connection = await Db.OpenAsync(cs, Ct);
            await using var command = new MySqlCommand($"SELECT SLEEP(@seconds) AS {marker}", connection);
            command.Parameters.AddWithValue("@seconds", 30);
            if (prepare)
            {
                await command.PrepareAsync(Ct);
            }

            var watch = Stopwatch.StartNew();
            Task<object?> running = command.ExecuteScalarAsync(Ct);
            await WaitUntilRunningAsync(marker);
            await Task.Run(command.Cancel, Ct);
            var error = await Assert.ThrowsAnyAsync<Exception>(() => running);
            Assert.True(watch.Elapsed < s_promptly, $"the statement ran {watch.Elapsed}");
            await AssertNotRunningAsync(marker);
            return $"{Describe(error)} | {connection.State} | {await Db.ScalarAsync(connection, "SELECT 'in step'", Ct)}";
        });
        Assert.Equal(direct, proxy);
        Assert.Contains($"{MySqlErrorCode.QueryInterrupted}", proxy, StringComparison.Ordinal);
        Assert.EndsWith(" | Open | in step", proxy, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task CancellationToken_StopsLongQuery_SameAsDirect()
    {
        (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            string marker = Db.UniqueName("token");
            await using var connection = await Db.OpenAsync(cs, Ct);
            await using var command = new MySqlCommand($"SELECT SLEEP(30) AS {marker}", connection);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            cts.CancelAfter(TimeSpan.FromMilliseconds(700));
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAnyAsync<Exception>(() => command.ExecuteScalarAsync(cts.Token));
            Assert.True(watch.Elapsed < s_promptly, $"the statement ran {watch.Elapsed}");
            await AssertNotRunningAsync(marker);
            return $"{Describe(error)} | {connection.State} | {await Db.ScalarAsync(connection, "SELECT 'in step'", Ct)}";
        });
        Assert.Equal(direct, proxy);
        Assert.EndsWith(" | Open | in step", proxy, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ConnectionId_IsServerThread_TheProxysId()
    {
        await using var proxy = await Db.OpenAsync(fixture.ConnectionString(extra: Db.Prepared), Ct);
        await using var direct = await Db.OpenAsync(Topology.Direct(extra: Db.Prepared), Ct);
        foreach (bool prepare in new[] { false, true })
        {
            foreach (var (connection, name) in new[] { (proxy, "proxy"), (direct, "direct") })
            {
                await using var command = new MySqlCommand("SELECT CONNECTION_ID(), CONNECTION_ID() + 0 AS plus, CONCAT('id=', CONNECTION_ID()) AS text", connection);
                if (prepare)
                {
                    await command.PrepareAsync(Ct);
                }

                await using var reader = await command.ExecuteReaderAsync(Ct);
                Assert.True(await reader.ReadAsync(Ct));
                long id = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
                Assert.True(connection.ServerThread == id, $"{name} prepare={prepare}: CONNECTION_ID() {id}, ServerThread {connection.ServerThread}");
                Assert.Equal(id, Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
                Assert.Equal($"id={id}", reader.GetString(2));
                Assert.Equal("CONNECTION_ID()", reader.GetName(0));
            }
        }

        // Through the proxy the id is not the backend's: the proxy's own sequence, small numbers.
        Assert.NotEqual(direct.ServerThread, proxy.ServerThread);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConnectionId_ColumnMetadata_SameAsDirect(bool prepare)
    {
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, prepare ? Db.Prepared : string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            List<string> lines = await Db.QueryAsync(connection, "SELECT CONNECTION_ID(), connection_id ( ) AS named", prepare, Ct);
            return lines.Where(l => !l.StartsWith("  row ", StringComparison.Ordinal)).ToList();
        });
        Assert.Equal(direct, proxy);
    }

    [Fact(Timeout = 60_000)]
    public async Task KillQuery_FromSecondConnection_StopsStatement_SameAsDirect()
    {
        (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            string marker = Db.UniqueName("killq");
            await using var victim = await Db.OpenAsync(cs, Ct);
            await using var command = new MySqlCommand($"SELECT SLEEP(30) AS {marker}", victim);
            var watch = Stopwatch.StartNew();
            Task<object?> running = command.ExecuteScalarAsync(Ct);
            await WaitUntilRunningAsync(marker);
            await using (var killer = await Db.OpenAsync(cs, Ct))
            {
                await Db.ExecuteAsync(killer, $"KILL QUERY {victim.ServerThread}", Ct);
            }

            string outcome;
            try
            {
                outcome = "result " + Db.Render(await running);
            }
            catch (Exception ex)
            {
                outcome = Describe(ex);
            }

            Assert.True(watch.Elapsed < s_promptly, $"the statement ran {watch.Elapsed}");
            await AssertNotRunningAsync(marker);
            return $"{outcome} | {victim.State} | {await Db.ScalarAsync(victim, "SELECT 'in step'", Ct)}";
        });
        Assert.Equal(direct, proxy);
        Assert.EndsWith(" | Open | in step", proxy, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task KillConnection_FromSecondConnection_EndsSession_SameAsDirect(bool busy)
    {
        (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            string marker = Db.UniqueName("killc");
            await using var victim = await Db.OpenAsync(cs, Ct);
            await using var command = new MySqlCommand($"SELECT SLEEP(30) AS {marker}", victim);
            var watch = Stopwatch.StartNew();
            Task<object?> running = busy ? command.ExecuteScalarAsync(Ct) : Task.FromResult<object?>(null);
            if (busy)
            {
                await WaitUntilRunningAsync(marker);
            }

            await using (var killer = await Db.OpenAsync(cs, Ct))
            {
                await Db.ExecuteAsync(killer, $"KILL {victim.ServerThread}", Ct);
            }

            string outcome;
            try
            {
                await running;
                await Task.Delay(200, Ct);
                outcome = "next query " + Db.Render(await Db.ScalarAsync(victim, "SELECT 1", Ct));
            }
            catch (Exception ex)
            {
                outcome = Describe(ex);
            }

            Assert.True(watch.Elapsed < s_promptly, $"the statement ran {watch.Elapsed}");
            await AssertNotRunningAsync(marker);
            return $"{outcome} | {victim.State}";
        });
        Assert.Equal(direct, proxy);
        // MariaDB closes a killed connection without an ERR packet; MySqlConnector calls that broken.
        Assert.EndsWith("Failed to read the result set. | Broken", proxy, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("KILL {0}")]
    [InlineData("KILL QUERY {0}")]
    [InlineData("KILL CONNECTION {0}")]
    [InlineData("KILL HARD QUERY {0}")]
    public async Task Kill_UnknownId_Gets1094_SameAsDirect(string statement)
    {
        (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            var error = await Assert.ThrowsAsync<MySqlException>(() =>
                Db.ExecuteAsync(connection, string.Format(CultureInfo.InvariantCulture, statement, 3_999_999_999L), Ct));
            return $"{error.Number} {error.SqlState} {error.Message} | {await Db.ScalarAsync(connection, "SELECT 'in step'", Ct)}";
        });
        Assert.Equal(direct, proxy);
        Assert.Equal("1094 HY000 Unknown thread id: 3999999999 | in step", proxy);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("KILL QUERY {0}")]
    [InlineData("KILL {0}")]
    public async Task Kill_OwnId_SameAsDirect(string statement)
    {
        (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            string outcome;
            try
            {
                await Db.ExecuteAsync(connection, string.Format(CultureInfo.InvariantCulture, statement, connection.ServerThread), Ct);
                outcome = "OK";
            }
            catch (MySqlException ex)
            {
                outcome = $"{ex.Number} {ex.SqlState} {ex.Message}";
            }

            string next;
            try
            {
                next = Db.Render(await Db.ScalarAsync(connection, "SELECT 'in step'", Ct));
            }
            catch (Exception ex) when (ex is MySqlException or InvalidOperationException)
            {
                next = ex.GetType().Name;
            }

            return $"{outcome} | {next} | {connection.State}";
        });
        Assert.Equal(direct, proxy);
    }

    [Fact(Timeout = 60_000)]
    public async Task Kill_AnotherUsersConnection_Denied_SameAsDirect()
    {
        (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            string adminString = cs.Replace("User ID=app;Password=app", "User ID=admin;Password=admin", StringComparison.Ordinal);
            await using var admin = await Db.OpenAsync(adminString, Ct);
            await using var app = await Db.OpenAsync(cs, Ct);
            var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ExecuteAsync(app, $"KILL {admin.ServerThread}", Ct));
            return $"{error.Number} {error.SqlState} {error.Message.Replace(admin.ServerThread.ToString(CultureInfo.InvariantCulture), "<id>", StringComparison.Ordinal)} | " +
                $"{await Db.ScalarAsync(admin, "SELECT 'admin alive'", Ct)}";
        });
        Assert.Equal(direct, proxy);
        Assert.Equal("1095 HY000 You are not owner of thread <id> | admin alive", proxy);
    }

    private static string Describe(Exception error) => error switch
    {
        MySqlException mysql => $"{nameof(MySqlException)} {mysql.ErrorCode} {mysql.SqlState} {mysql.Message}",
        _ => $"{error.GetType().Name} {error.Message}",
    };

    /// <summary>Waits (up to 5 s) until the statement tagged with <paramref name="marker"/> shows in a server's process list.</summary>
    private static async Task WaitUntilRunningAsync(string marker)
    {
        var watch = Stopwatch.StartNew();
        while (!await IsRunningAsync(marker))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"statement {marker} never started");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>Checks on the servers, as admin, that no statement tagged with <paramref name="marker"/> runs any more (allowing 3 s to wind down).</summary>
    private static async Task AssertNotRunningAsync(string marker)
    {
        var watch = Stopwatch.StartNew();
        while (await IsRunningAsync(marker))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"statement {marker} still runs on the primary");
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>Whether a statement tagged with <paramref name="marker"/> is in the process list of any server of the topology (the proxy sends reads to replicas).</summary>
    private static async Task<bool> IsRunningAsync(string marker)
    {
        foreach (System.Net.IPEndPoint server in Topology.Replicas.Prepend(Topology.Primary))
        {
            await using var admin = await Db.OpenAsync($"Server={server.Address};Port={server.Port};User ID=admin;Password=admin;Pooling=false;", Ct);
            await using var command = new MySqlCommand("SHOW FULL PROCESSLIST", admin);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            int info = reader.GetOrdinal("Info");
            while (await reader.ReadAsync(Ct))
            {
                if (!reader.IsDBNull(info) && reader.GetString(info).Contains(marker, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
