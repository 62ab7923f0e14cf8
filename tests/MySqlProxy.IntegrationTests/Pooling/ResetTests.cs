using MySqlConnector;
using MySqlProxy.Core.Sessions;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.IntegrationTests.Robustness;
using MySqlProxy.Protocol;

namespace MySqlProxy.IntegrationTests.Pooling;

/// <summary>
/// COM_RESET_CONNECTION and COM_CHANGE_USER reset exactly what the server resets: session variables, user
/// variables, temporary tables, SQL and binary prepared statements, open transactions; and a connection the
/// proxy reset keeps working as a pooled connection afterwards.
/// </summary>
public sealed class ResetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates every kind of resettable state on a MySqlConnector client.</summary>
    private static async Task<MySqlCommand> CreateStateAsync(MySqlConnection connection, string temporary, bool pinned)
    {
        await Pooled.ExecAsync(connection, Pooled.SetManyVariables);
        if (pinned)
        {
            await Pooled.ExecAsync(connection, "SET @reset_me = 'still here'");
            await Pooled.ExecAsync(connection, $"CREATE TEMPORARY TABLE `{temporary}` (v INT)");
            await Pooled.ExecAsync(connection, "PREPARE reset_stmt FROM 'SELECT 1'");
        }

        var command = new MySqlCommand("SELECT 40 + @two", connection);
        command.Parameters.AddWithValue("@two", 2);
        await command.PrepareAsync(Ct);
        Assert.Equal(42L, Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture));
        return command;
    }

    /// <summary>What a client sees after the reset: each line is the same directly and through the proxy.</summary>
    private static async Task<List<string>> ObserveAfterResetAsync(MySqlConnection connection, MySqlCommand prepared, string temporary)
    {
        var seen = new List<string> { string.Join("|", await Pooled.RowAsync(connection, Pooled.SessionProbe)) };
        seen.Add("user variable: " + (await Pooled.TextAsync(connection, "SELECT @reset_me") ?? "NULL"));
        seen.Add("temporary table: " + await OutcomeAsync(() => Pooled.LongAsync(connection, $"SELECT COUNT(*) FROM `{temporary}`")));
        seen.Add("sql prepared: " + await OutcomeAsync(() => Pooled.LongAsync(connection, "EXECUTE reset_stmt")));
        seen.Add("binary prepared: " + await OutcomeAsync(async () => Convert.ToInt64(await prepared.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture)));
        seen.Add("in transaction: " + await Pooled.LongAsync(connection, "SELECT @@in_transaction"));
        return seen;
    }

    private static async Task<string> OutcomeAsync(Func<Task<long>> run)
    {
        try
        {
            return "value " + await run();
        }
        catch (MySqlException ex)
        {
            return "error " + ex.Number;
        }
    }

    [Theory(Timeout = 120_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResetConnection_SameAsDirect(bool pinned)
    {
        // Directly against the primary first: what the server itself resets.
        string temporary = Db.UniqueName("rst");
        List<string> direct;
        await using (MySqlConnection connection = await Db.OpenAsync(Topology.Direct(extra: Pooled.UserVariables + Db.Prepared), Ct))
        {
            await using MySqlCommand prepared = await CreateStateAsync(connection, temporary, pinned);
            await connection.ResetConnectionAsync(Ct);
            direct = await ObserveAfterResetAsync(connection, prepared, temporary);
        }

        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy, extra: Db.Prepared);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        ClientSession session = Pooled.Session(proxy, a);
        await using (MySqlCommand prepared = await CreateStateAsync(a, temporary, pinned))
        {
            if (pinned)
            {
                await Pooled.WaitPinnedAsync(session, PinCauses.UserVariable | PinCauses.TemporaryTable | PinCauses.SqlPrepare);
            }

            await a.ResetConnectionAsync(Ct);
            await Pooled.WaitUnpinnedAsync(session);
            List<string> proxied = await ObserveAfterResetAsync(a, prepared, temporary);
            Assert.Equal(direct, proxied);
        }

        // Looking at @reset_me pinned A again; a reset (on the server this time) lets go.
        await a.ResetConnectionAsync(Ct);
        await Pooled.WaitUnpinnedAsync(session);

        // The reset connection goes on serving both clients, each with its own state.
        string?[] defaults = await Pooled.DirectDefaultsAsync();
        await Pooled.ExecAsync(a, "SET sql_mode = 'ANSI', time_zone = '+02:00'");
        for (int round = 0; round < 3; round++)
        {
            Assert.Equal(defaults, await Pooled.RowAsync(b, Pooled.SessionProbe));
            Assert.Equal(new string?[] { "REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ANSI", "+02:00" }, await Pooled.RowAsync(a, "SELECT @@sql_mode, @@time_zone"));
        }

        Assert.Equal(1, proxy.Listener.Context.PrimaryPool.Open);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("insert")]
    [InlineData("transaction")]
    [InlineData("temporary table")]
    public async Task ResetConnection_OtherClientWaitingForThatConnection_ItsStatementsStillRun(string state)
    {
        // What an application's pool does all day: a connection is reset before reuse, after an INSERT, in a
        // transaction, or with a temporary table. Resetting on the server drops every statement prepared on the
        // backend connection; a client waiting for that very connection must not be handed it before the proxy
        // knows those statements are gone.
        await using TestTable table = await TestTable.CreateAsync("rst_wait", "id INT AUTO_INCREMENT PRIMARY KEY, v INT", Ct);
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy, extra: Db.Prepared);
        await using var prepared = new MySqlCommand("SELECT 20 + @v", b);
        prepared.Parameters.AddWithValue("@v", 1);
        await prepared.PrepareAsync(Ct);
        ClientSession session = Pooled.Session(proxy, a);
        for (int round = 0; round < 20; round++)
        {
            Assert.Equal(21L, Convert.ToInt64(await prepared.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture));
            switch (state)
            {
                case "insert":
                    await Pooled.ExecAsync(a, $"INSERT INTO `{table}` (v) VALUES ({round})");
                    await Pooled.WaitPinnedAsync(session, PinCauses.LastInsertId);
                    break;
                case "transaction":
                    await Pooled.ExecAsync(a, "BEGIN");
                    await Pooled.ExecAsync(a, $"UPDATE `{table}` SET v = v + 1");
                    await Pooled.WaitPinnedAsync(session, PinCauses.Transaction);
                    break;
                default:
                    await Pooled.ExecAsync(a, "CREATE TEMPORARY TABLE rst_tmp (v INT)");
                    await Pooled.WaitPinnedAsync(session, PinCauses.TemporaryTable);
                    break;
            }

            // B queues for the connection A holds; A's reset hands it over.
            Task<object?> waiting = prepared.ExecuteScalarAsync(Ct);
            await Task.Delay(20, Ct);
            await a.ResetConnectionAsync(Ct);
            Assert.Equal(21L, Convert.ToInt64(await waiting, System.Globalization.CultureInfo.InvariantCulture));
            await Pooled.WaitUnpinnedAsync(session);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ResetConnection_InTransaction_RolledBack()
    {
        await using TestTable table = await TestTable.CreateAsync("rst_tx", "id INT PRIMARY KEY", Ct);
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        await Pooled.ExecAsync(a, "BEGIN");
        await Pooled.ExecAsync(a, $"INSERT INTO `{table}` VALUES (1)");
        await Pooled.WaitPinnedAsync(Pooled.Session(proxy, a), PinCauses.Transaction);
        await a.ResetConnectionAsync(Ct);
        await Pooled.WaitUnpinnedAsync(Pooled.Session(proxy, a));
        Assert.Equal(0L, await Pooled.LongAsync(b, $"SELECT COUNT(*) FROM `{table}`"));
        Assert.Equal(0L, await Pooled.LongAsync(a, $"SELECT COUNT(*) FROM `{table}`"));
    }

    [Fact(Timeout = 120_000)]
    public async Task ResetConnection_KeepsTheCurrentDatabase_LikeTheServer()
    {
        string database = Db.UniqueName("rstdb");
        await Db.AdminAsync($"CREATE DATABASE `{database}`", Ct);
        try
        {
            string? direct;
            await using (MySqlConnection connection = await Db.OpenAsync(Topology.Direct(), Ct))
            {
                await Pooled.ExecAsync(connection, $"USE `{database}`");
                await connection.ResetConnectionAsync(Ct);
                direct = await Pooled.TextAsync(connection, "SELECT DATABASE()");
            }

            await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10);
            await using MySqlConnection a = await Pooled.OpenAsync(proxy);
            await Pooled.ExecAsync(a, $"USE `{database}`");
            await a.ResetConnectionAsync(Ct);
            Assert.Equal(direct, await Pooled.TextAsync(a, "SELECT DATABASE()"));
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Db.AdminAsync($"DROP DATABASE IF EXISTS `{database}`", cleanup.Token);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ChangeUser_ResetsStateAndSwitchesIdentity()
    {
        // Defaults as a new connection straight to the primary shows them in the text protocol.
        string?[] defaults;
        await using (RawSession direct = await RawSession.LoginAsync(Topology.Primary.Port))
        {
            defaults = (await direct.QueryAsync(Pooled.SessionProbe))[0];
        }

        string temporary = Db.UniqueName("chu");
        await using ProxyInstance proxy = await Pooled.StartAsync(maxPerBackend: 2, borrowTimeoutSeconds: 10);
        await using RawSession raw = await RawSession.LoginAsync(proxy.Port);
        ClientSession session = Pooled.Session(proxy, raw.ConnectionId);
        await raw.QueryAsync(Pooled.SetManyVariables);
        await raw.QueryAsync("SET @chu = 5");
        await raw.QueryAsync($"CREATE TEMPORARY TABLE `{temporary}` (v INT)");
        await raw.QueryAsync("PREPARE chu_stmt FROM 'SELECT 1'");
        RawStatement statement = await raw.PrepareAsync("SELECT seq FROM seq_1_to_3");
        Assert.Equal("5", await raw.ScalarAsync("SELECT @chu"));
        await Pooled.WaitPinnedAsync(session, PinCauses.UserVariable | PinCauses.TemporaryTable | PinCauses.SqlPrepare);
        uint pinnedThread = session.Backend!.ThreadId;

        RawPacket answer = await raw.ChangeUserAsync("admin", "admin", "app");
        Assert.True(answer.IsOk, $"COM_CHANGE_USER answered {answer}");
        await Pooled.WaitUnpinnedAsync(session);
        Assert.Equal("admin", session.User);
        Assert.Equal("admin", await raw.ScalarAsync("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)"));
        List<string?[]> probe = await raw.QueryAsync(Pooled.SessionProbe);
        Assert.Equal(defaults, probe[0]);
        Assert.Null(await raw.ScalarAsync("SELECT @chu"));
        Assert.Equal(1146, (await Assert.ThrowsAsync<RawErrorException>(() => raw.QueryAsync($"SELECT * FROM `{temporary}`"))).Error.ErrorCode);
        Assert.Equal(1243, (await Assert.ThrowsAsync<RawErrorException>(() => raw.QueryAsync("EXECUTE chu_stmt"))).Error.ErrorCode);
        Assert.Equal(1243, (await Assert.ThrowsAsync<RawErrorException>(() => raw.ExecuteWithCursorAsync(statement))).Error.ErrorCode);

        // The connection that held app's state is gone, not back in the pool.
        await using (MySqlConnection admin = await Db.OpenAsync(Topology.Direct("admin", "admin"), Ct))
        {
            Assert.Equal(0L, await Pooled.LongAsync(admin, $"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = {pinnedThread}"));
        }

        // And back to app, in another database.
        answer = await raw.ChangeUserAsync("app", "app", "information_schema");
        Assert.True(answer.IsOk, $"COM_CHANGE_USER answered {answer}");
        Assert.Equal("app", await raw.ScalarAsync("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)"));
        Assert.Equal("information_schema", await raw.ScalarAsync("SELECT DATABASE()"));
    }

    [Fact(Timeout = 120_000)]
    public async Task ChangeUser_WrongPassword_Refused()
    {
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10);
        await using RawSession raw = await RawSession.LoginAsync(proxy.Port);
        RawPacket answer = await raw.ChangeUserAsync("admin", "not-the-password", "app");
        Assert.True(answer.IsErr, $"COM_CHANGE_USER with a wrong password answered {answer}");
        Assert.Equal(ErrorCodes.AccessDenied, answer.Error.ErrorCode);
    }
}
