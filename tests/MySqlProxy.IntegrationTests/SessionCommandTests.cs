using System.Net;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>COM_RESET_CONNECTION (through MySqlConnector) and COM_CHANGE_USER (through a raw client), proxy against direct.</summary>
public sealed class SessionCommandTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IPEndPoint ProxyEndPoint => new(IPAddress.Loopback, fixture.Proxy.Port);

    [Fact(Timeout = 60_000)]
    public async Task ResetConnection_ClearsVariablesAndTemporaryTables_SameAsDirect()
    {
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, "AllowUserVariables=true;", async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            int threadBefore = connection.ServerThread;
            await Db.ExecuteAsync(connection,
                "SET SESSION wait_timeout = 1234, SESSION sql_mode = 'ANSI_QUOTES', @user_var = 42, SESSION time_zone = '+05:00'", Ct);
            await Db.ExecuteAsync(connection, "CREATE TEMPORARY TABLE reset_tmp (i INT)", Ct);
            await Db.ExecuteAsync(connection, "INSERT INTO reset_tmp VALUES (1)", Ct);
            var log = new List<string>
            {
                "before " + await Db.ScalarAsync(connection, "SELECT CONCAT_WS(',', @@session.wait_timeout, @@session.sql_mode, @user_var, @@session.time_zone, (SELECT COUNT(*) FROM reset_tmp))", Ct),
            };

            await connection.ResetConnectionAsync(Ct);

            log.Add("after " + await Db.ScalarAsync(connection,
                "SELECT CONCAT_WS(',', @@session.wait_timeout = @@global.wait_timeout, @@session.sql_mode = @@global.sql_mode, " +
                "@user_var IS NULL, @@session.time_zone = @@global.time_zone, DATABASE())", Ct));
            var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ScalarAsync(connection, "SELECT COUNT(*) FROM reset_tmp", Ct));
            log.Add($"temp table: {error.Number} {error.SqlState} {error.Message}");

            // Same connection afterwards; CONNECTION_ID() still answers the id the client was given.
            log.Add($"same thread: {connection.ServerThread == threadBefore} " +
                $"{Convert.ToInt64(await Db.ScalarAsync(connection, "SELECT CONNECTION_ID()", Ct), System.Globalization.CultureInfo.InvariantCulture) == connection.ServerThread}");
            return log;
        });
        Assert.Equal(direct, proxy);
        Assert.Equal("before 1234,ANSI_QUOTES,42,+05:00,1", proxy[0]);
        Assert.Equal("after 1,1,1,1,app", proxy[1]);
        Assert.Equal("same thread: True True", proxy[3]);
    }

    [Fact(Timeout = 60_000)]
    public async Task ResetConnection_Repeatedly_ConnectionStaysUsable()
    {
        await using var connection = await Db.OpenAsync(fixture.ConnectionString(extra: "AllowUserVariables=true;"), Ct);
        for (int i = 0; i < 20; i++)
        {
            await Db.ExecuteAsync(connection, $"SET @i = {i}", Ct);
            Assert.Equal((long)i, Convert.ToInt64(await Db.ScalarAsync(connection, "SELECT @i", Ct), System.Globalization.CultureInfo.InvariantCulture));
            await connection.ResetConnectionAsync(Ct);
            Assert.Null(await Db.ScalarAsync(connection, "SELECT @i", Ct));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task PooledConnections_ResetOnReuse_SameAsDirect()
    {
        // MySqlConnector's pool resets a connection it hands out again (COM_RESET_CONNECTION by default).
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, $"Pooling=true;MinimumPoolSize=0;MaximumPoolSize=1;AllowUserVariables=true;ApplicationName={Guid.NewGuid():N};", async cs =>
        {
            var log = new List<string>();
            int? thread = null;
            for (int i = 0; i < 5; i++)
            {
                await using var connection = await Db.OpenAsync(cs, Ct);
                thread ??= connection.ServerThread;
                log.Add($"same session {connection.ServerThread == thread} variable {Db.Render(await Db.ScalarAsync(connection, "SELECT @pooled", Ct))}");
                await Db.ExecuteAsync(connection, $"SET @pooled = {i}", Ct);
            }

            await using (var connection = new MySqlConnection(cs))
            {
                await MySqlConnection.ClearPoolAsync(connection, Ct);
            }

            return log;
        });
        Assert.Equal(direct, proxy);
        Assert.All(proxy, line => Assert.Equal("same session True variable NULL", line));
    }

    [Fact(Timeout = 60_000)]
    public async Task ChangeUser_ToAdmin_RunsAsAdmin_SameAsDirect()
    {
        async Task<List<string>> RunAsync(IPEndPoint endpoint)
        {
            await using var client = await RawClient.ConnectAsync(endpoint, "app", "app", "app", Ct);
            var log = new List<string> { "before " + await ScalarAsync(client, "SELECT CURRENT_USER()") };
            await ExpectOkAsync(client, "SET @before_change = 1");
            await ExpectOkAsync(client, "CREATE TEMPORARY TABLE change_tmp (i INT)");

            RawError? error = await client.ChangeUserAsync("admin", "admin", "app", Ct);
            log.Add($"change: {error?.ToString() ?? "OK"}");
            log.Add("user " + await ScalarAsync(client, "SELECT CURRENT_USER()"));
            log.Add("db " + await ScalarAsync(client, "SELECT DATABASE()"));
            log.Add("variable " + (await ScalarAsync(client, "SELECT @before_change") ?? "NULL"));
            (_, RawError? tmp) = await client.QueryAsync("SELECT * FROM change_tmp", Ct);
            log.Add($"temp table: {tmp}");
            log.Add($"id is greeting id: {await ScalarAsync(client, "SELECT CONNECTION_ID()") == client.ConnectionId.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            return log;
        }

        List<string> direct = await RunAsync(Topology.Primary);
        List<string> proxy = await RunAsync(ProxyEndPoint);
        Assert.Equal(direct, proxy);
        Assert.Equal("before app@%", proxy[0]);
        Assert.Equal("change: OK", proxy[1]);
        Assert.StartsWith("user admin@", proxy[2], StringComparison.Ordinal);
        Assert.Equal("db app", proxy[3]);
        Assert.Equal("variable NULL", proxy[4]);
        Assert.StartsWith("temp table: ERROR 1146 (42S02)", proxy[5], StringComparison.Ordinal);
        Assert.Equal("id is greeting id: True", proxy[6]);
    }

    [Fact(Timeout = 60_000)]
    public async Task ChangeUser_WithoutDatabase_HasNoDatabase_SameAsDirect()
    {
        async Task<List<string>> RunAsync(IPEndPoint endpoint)
        {
            await using var client = await RawClient.ConnectAsync(endpoint, "app", "app", "app", Ct);
            RawError? error = await client.ChangeUserAsync("app", "app", null, Ct);
            return [$"change: {error?.ToString() ?? "OK"}", "db " + (await ScalarAsync(client, "SELECT DATABASE()") ?? "NULL")];
        }

        List<string> direct = await RunAsync(Topology.Primary);
        List<string> proxy = await RunAsync(ProxyEndPoint);
        Assert.Equal(direct, proxy);
        Assert.Equal(["change: OK", "db NULL"], proxy);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("admin", "wrong")]
    [InlineData("nobody", "whatever")]
    [InlineData("admin", "")]
    public async Task ChangeUser_Refused_Gets1045AndSessionStaysUsable_SameAsDirect(string user, string password)
    {
        async Task<List<string>> RunAsync(IPEndPoint endpoint)
        {
            await using var client = await RawClient.ConnectAsync(endpoint, "app", "app", "app", Ct);
            RawError? error = await client.ChangeUserAsync(user, password, "app", Ct);
            return
            [
                $"change: {error?.ToString() ?? "OK"}",
                "user " + await ScalarAsync(client, "SELECT CURRENT_USER()"),
                "db " + (await ScalarAsync(client, "SELECT DATABASE()") ?? "NULL"),
                "works " + await ScalarAsync(client, "SELECT 1 + 1"),
            ];
        }

        List<string> direct = await RunAsync(Topology.Primary);
        List<string> proxy = await RunAsync(ProxyEndPoint);
        Assert.Equal(direct, proxy);
        Assert.Equal($"change: ERROR 1045 (28000): Access denied for user '{user}'@'127.0.0.1' (using password: {(password.Length > 0 ? "YES" : "NO")})", proxy[0]);
        Assert.Equal("user app@%", proxy[1]);
        Assert.Equal("works 2", proxy[3]);
    }

    [Fact(Timeout = 60_000)]
    public async Task ChangeUser_Refused_SessionStateAfterwards_SameAsDirect()
    {
        // The server resets the session (variables, temporary tables) before it checks the new login,
        // so even a refused change leaves a fresh session behind.
        async Task<List<string>> RunAsync(IPEndPoint endpoint)
        {
            await using var client = await RawClient.ConnectAsync(endpoint, "app", "app", "app", Ct);
            await ExpectOkAsync(client, "SET @kept = 7, SESSION wait_timeout = 4321");
            await ExpectOkAsync(client, "CREATE TEMPORARY TABLE refused_tmp (i INT)");
            RawError? error = await client.ChangeUserAsync("admin", "wrong", "app", Ct);
            (_, RawError? tmp) = await client.QueryAsync("SELECT * FROM refused_tmp", Ct);
            return
            [
                $"change: {error?.Code}",
                "variable " + (await ScalarAsync(client, "SELECT @kept") ?? "NULL"),
                "wait_timeout " + await ScalarAsync(client, "SELECT @@session.wait_timeout"),
                $"temp table: {tmp?.Code.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "still there"}",
            ];
        }

        List<string> direct = await RunAsync(Topology.Primary);
        List<string> proxy = await RunAsync(ProxyEndPoint);
        Assert.Equal(direct, proxy);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("admin", "admin", "latin1,latin1,latin1,latin1_swedish_ci")]
    [InlineData("admin", "wrong", "utf8mb4,utf8mb4,utf8mb4,utf8mb4_general_ci")]
    public async Task ChangeUser_CharacterSet_SameAsDirect(string user, string password, string expected)
    {
        // The change names a collation (8: latin1_swedish_ci) that the new session takes; a refused change leaves
        // the login's character set (MariaDB 10.11 resets the session, SET NAMES included).
        async Task<List<string>> RunAsync(IPEndPoint endpoint)
        {
            await using var client = await RawClient.ConnectAsync(endpoint, "app", "app", "app", Ct);
            await ExpectOkAsync(client, "SET NAMES cp1251");
            RawError? error = await client.ChangeUserAsync(user, password, "app", Ct, collation: 8);
            return
            [
                $"change: {error?.Code}",
                "charset " + await ScalarAsync(client, "SELECT CONCAT_WS(',', @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection)"),
            ];
        }

        List<string> direct = await RunAsync(Topology.Primary);
        List<string> proxy = await RunAsync(ProxyEndPoint);
        Assert.Equal(direct, proxy);
        Assert.Equal("charset " + expected, proxy[1]);
    }

    [Fact(Timeout = 60_000)]
    public async Task ChangeUser_ToUnknownDatabase_Gets1049_SameAsDirect()
    {
        async Task<List<string>> RunAsync(IPEndPoint endpoint)
        {
            await using var client = await RawClient.ConnectAsync(endpoint, "app", "app", "app", Ct);
            await ExpectOkAsync(client, "SET @kept = 7");
            RawError? error = await client.ChangeUserAsync("admin", "admin", "no_such_db_42", Ct);
            bool closed = error is not null && await client.IsClosedAsync(TimeSpan.FromMilliseconds(300));
            var log = new List<string> { $"change: {error?.ToString() ?? "OK"}", $"closed {closed}" };
            if (!closed)
            {
                log.Add("user " + await ScalarAsync(client, "SELECT CURRENT_USER()"));
                log.Add("db " + (await ScalarAsync(client, "SELECT DATABASE()") ?? "NULL"));
                log.Add("variable " + (await ScalarAsync(client, "SELECT @kept") ?? "NULL"));
            }

            return log;
        }

        List<string> direct = await RunAsync(Topology.Primary);
        List<string> proxy = await RunAsync(ProxyEndPoint);
        Assert.Equal(direct, proxy);
        Assert.Equal(["change: ERROR 1049 (42000): Unknown database 'no_such_db_42'", "closed False", "user app@%", "db app", "variable NULL"], proxy);
    }

    [Fact(Timeout = 60_000)]
    public async Task ChangeUser_ThenKillByGreetingId_StopsTheNewBackendSession()
    {
        // After COM_CHANGE_USER the proxy works on a new backend connection; KILL with the client's id must find it.
        await using var client = await RawClient.ConnectAsync(ProxyEndPoint, "app", "app", "app", Ct);
        Assert.Null(await client.ChangeUserAsync("app", "app", "app", Ct));
        await client.SendCommandAsync(MySqlProxy.Protocol.CommandCode.Query, System.Text.Encoding.UTF8.GetBytes("SELECT SLEEP(20)"), Ct);
        await Task.Delay(300, Ct);
        await using (var killer = await Db.OpenAsync(fixture.ConnectionString(), Ct))
        {
            await Db.ExecuteAsync(killer, $"KILL QUERY {client.ConnectionId}", Ct);
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        (List<RawResultSet> results, RawError? error) = await client.ReadResultsAsync(Ct);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.True(error is not null || RawClient.TextValues(results[0].Rows[0])[0] == "1", $"{error}");
        Assert.Equal("3", await ScalarAsync(client, "SELECT 1 + 2"));
    }

    private static async Task<string?> ScalarAsync(RawClient client, string sql)
    {
        (List<RawResultSet> results, RawError? error) = await client.QueryAsync(sql, Ct);
        if (error is not null)
        {
            throw new RawErrorException(error);
        }

        return RawClient.TextValues(results[0].Rows[0])[0];
    }

    private static async Task ExpectOkAsync(RawClient client, string sql)
    {
        (_, RawError? error) = await client.QueryAsync(sql, Ct);
        Assert.Null(error);
    }
}
