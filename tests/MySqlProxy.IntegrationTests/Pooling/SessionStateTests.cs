using MySqlConnector;
using MySqlProxy.Core.Sessions;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Pooling;

/// <summary>
/// Session state carried across borrowed connections: two clients take turns on a proxy with one backend
/// connection, so each statement of one runs on the connection the other just used. Each client must see
/// exactly its own state, and neither may hold the connection between statements (multiplexing).
/// </summary>
public sealed class SessionStateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A proxy with one backend connection and two clients on it, neither pinned.</summary>
    private static async Task<(ProxyInstance Proxy, MySqlConnection A, MySqlConnection B)> TwoClientsAsync(string extraA = "", string extraB = "")
    {
        ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10);
        MySqlConnection a = await Pooled.OpenAsync(proxy, extra: extraA);
        MySqlConnection b = await Pooled.OpenAsync(proxy, extra: extraB);
        return (proxy, a, b);
    }

    /// <summary>
    /// The sessions hold nothing between statements (their variables never pinned them) and the proxy still has
    /// just the one connection. A statement with nothing to report first ends any next-statement-only pin
    /// (warnings of the statement before).
    /// </summary>
    private static async Task AssertMultiplexedAsync(ProxyInstance proxy, params MySqlConnection[] clients)
    {
        foreach (MySqlConnection client in clients)
        {
            await Pooled.ExecAsync(client, "DO 0");
            await Pooled.WaitUnpinnedAsync(Pooled.Session(proxy, client));
        }

        Assert.Equal(1, proxy.Listener.Context.PrimaryPool.Open);
    }

    [Fact(Timeout = 120_000)]
    public async Task TimeZone_SetByOne_NowFollowsItOnlyForThatClient()
    {
        (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
        await using (proxy)
        await using (a)
        await using (b)
        {
            const string offset = "SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW())";
            long systemOffset;
            await using (MySqlConnection direct = await Db.OpenAsync(Topology.Direct(), Ct))
            {
                systemOffset = await Pooled.LongAsync(direct, offset);
            }

            await Pooled.ExecAsync(a, "SET time_zone = '+05:00'");
            await AssertMultiplexedAsync(proxy, a, b);
            for (int round = 0; round < 3; round++)
            {
                Assert.Equal("SYSTEM", await Pooled.TextAsync(b, "SELECT @@time_zone"));
                Assert.Equal(systemOffset, await Pooled.LongAsync(b, offset));
                Assert.Equal("+05:00", await Pooled.TextAsync(a, "SELECT @@time_zone"));
                Assert.Equal(300L, await Pooled.LongAsync(a, offset));
                Assert.Equal("2024-01-01 05:00:00", await Pooled.TextAsync(a, "SELECT DATE_FORMAT(CONVERT_TZ('2024-01-01 00:00:00', '+00:00', @@session.time_zone), '%Y-%m-%d %H:%i:%s')"));
            }

            // FROM_UNIXTIME follows the session time zone as well.
            Assert.Equal("1970-01-01 05:00:00", await Pooled.TextAsync(a, "SELECT DATE_FORMAT(FROM_UNIXTIME(0), '%Y-%m-%d %H:%i:%s')"));
            await AssertMultiplexedAsync(proxy, a, b);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task SetNames_EmojiRoundTripForBoth_CharsetPerClient()
    {
        await using TestTable table = await TestTable.CreateAsync("names", "id INT PRIMARY KEY, s VARCHAR(20) CHARACTER SET utf8mb4", Ct);
        (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
        await using (proxy)
        await using (a)
        await using (b)
        {
            string?[] handshake = await Pooled.RowAsync(b, "SELECT @@character_set_client, @@character_set_results, @@collation_connection");

            // A switches to latin1 and back to utf8mb4 with another collation; B keeps what its handshake set.
            await Pooled.ExecAsync(a, "SET NAMES latin1");
            Assert.Equal(new string?[] { "latin1", "latin1", "latin1_swedish_ci" }, await Pooled.RowAsync(a, "SELECT @@character_set_client, @@character_set_results, @@collation_connection"));
            Assert.Equal(handshake, await Pooled.RowAsync(b, "SELECT @@character_set_client, @@character_set_results, @@collation_connection"));
            Assert.Equal("😀", await Pooled.TextAsync(b, "SELECT '😀'"));
            Assert.Equal("F09F9880", await Pooled.TextAsync(b, "SELECT HEX('😀')"));

            await Pooled.ExecAsync(a, "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci");
            Assert.Equal(handshake, await Pooled.RowAsync(b, "SELECT @@character_set_client, @@character_set_results, @@collation_connection"));
            Assert.Equal(new string?[] { "utf8mb4", "utf8mb4", "utf8mb4_unicode_ci" }, await Pooled.RowAsync(a, "SELECT @@character_set_client, @@character_set_results, @@collation_connection"));
            Assert.Equal("😀", await Pooled.TextAsync(a, "SELECT '😀'"));
            Assert.Equal("F09F9880", await Pooled.TextAsync(a, "SELECT HEX('😀')"));

            // Written by one, read by the other, through the same backend connection.
            await using (var insert = new MySqlCommand($"INSERT INTO `{table}` VALUES (1, @s)", a))
            {
                insert.Parameters.AddWithValue("@s", "ü 😀 ✓");
                await insert.ExecuteNonQueryAsync(Ct);
            }

            Assert.Equal("ü 😀 ✓", await Pooled.TextAsync(b, $"SELECT s FROM `{table}` WHERE id = 1"));
            Assert.Equal("C3BC20F09F988020E29C93", await Pooled.TextAsync(a, $"SELECT HEX(s) FROM `{table}` WHERE id = 1"));
            await AssertMultiplexedAsync(proxy, a, b);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task UseDatabase_UnqualifiedTableResolvesPerClient()
    {
        string database = Db.UniqueName("db");
        await Db.AdminAsync($"CREATE DATABASE `{database}`", Ct);
        await using TestTable table = await TestTable.CreateAsync("use", "v VARCHAR(10)", Ct);
        try
        {
            await Db.AdminAsync($"INSERT INTO app.`{table}` VALUES ('app')", Ct);
            await Db.AdminAsync($"CREATE TABLE `{database}`.`{table}` (v VARCHAR(10))", Ct);
            await Db.AdminAsync($"INSERT INTO `{database}`.`{table}` VALUES ('other')", Ct);
            (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
            await using (proxy)
            await using (a)
            await using (b)
            await using (MySqlConnection c = await Pooled.OpenAsync(proxy))
            {
                await Pooled.ExecAsync(a, $"USE `{database}`");
                await c.ChangeDatabaseAsync(database, Ct);
                for (int round = 0; round < 3; round++)
                {
                    Assert.Equal("app", await Pooled.TextAsync(b, $"SELECT v FROM `{table}`"));
                    Assert.Equal("other", await Pooled.TextAsync(a, $"SELECT v FROM `{table}`"));
                    Assert.Equal(database, await Pooled.TextAsync(a, "SELECT DATABASE()"));
                    Assert.Equal("app", await Pooled.TextAsync(b, "SELECT DATABASE()"));
                    Assert.Equal("other", await Pooled.TextAsync(c, $"SELECT v FROM `{table}`"));
                }

                await Pooled.ExecAsync(a, "USE app");
                Assert.Equal("app", await Pooled.TextAsync(a, $"SELECT v FROM `{table}`"));
                Assert.Equal("other", await Pooled.TextAsync(c, $"SELECT v FROM `{table}`"));
                await AssertMultiplexedAsync(proxy, a, b, c);
            }
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Db.AdminAsync($"DROP DATABASE IF EXISTS `{database}`", cleanup.Token);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task SqlMode_PipesAsConcat_OnlyForTheClientThatSetIt()
    {
        (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
        await using (proxy)
        await using (a)
        await using (b)
        {
            await Pooled.ExecAsync(a, "SET sql_mode = CONCAT(@@sql_mode, ',PIPES_AS_CONCAT')");
            for (int round = 0; round < 3; round++)
            {
                Assert.Equal("ab", await Pooled.TextAsync(a, "SELECT 'a' || 'b'"));

                // Logical OR of two strings: 0, with warnings (which keep B on the connection until its next statement).
                Assert.Equal(0L, await Pooled.LongAsync(b, "SELECT 'a' || 'b'"));
                await Pooled.ExecAsync(b, "DO 0");
            }

            await AssertMultiplexedAsync(proxy, a, b);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task SqlMode_StrictAndNonStrict_OverlongStringPerClient()
    {
        await using TestTable table = await TestTable.CreateAsync("strict", "id INT AUTO_INCREMENT PRIMARY KEY, s VARCHAR(3)", Ct);
        (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
        await using (proxy)
        await using (a)
        await using (b)
        {
            Assert.Contains("STRICT_TRANS_TABLES", await Pooled.TextAsync(b, "SELECT @@sql_mode"), StringComparison.Ordinal);
            await Pooled.ExecAsync(a, "SET sql_mode = ''");
            for (int round = 0; round < 3; round++)
            {
                // Truncated with a warning (which keeps A on the connection until its next statement).
                Assert.Equal(1, await Pooled.ExecAsync(a, $"INSERT INTO `{table}` (s) VALUES ('abcdef')"));
                await Pooled.ExecAsync(a, "DO 0");
                var error = await Assert.ThrowsAsync<MySqlException>(() => Pooled.ExecAsync(b, $"INSERT INTO `{table}` (s) VALUES ('abcdef')"));
                Assert.Equal(MySqlErrorCode.DataTooLong, error.ErrorCode);
            }

            Assert.Equal(3L, await Pooled.LongAsync(b, $"SELECT COUNT(*) FROM `{table}` WHERE s = 'abc'"));
            Assert.Equal(string.Empty, await Pooled.TextAsync(a, "SELECT @@sql_mode"));
            await AssertMultiplexedAsync(proxy, a, b);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task TransactionIsolationAndAccessMode_PerClient()
    {
        await using TestTable table = await TestTable.CreateAsync("iso", "id INT PRIMARY KEY", Ct);
        (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
        await using (proxy)
        await using (a)
        await using (b)
        {
            await Pooled.ExecAsync(a, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
            await Pooled.ExecAsync(b, "SET SESSION TRANSACTION READ ONLY");
            for (int round = 0; round < 3; round++)
            {
                Assert.Equal(new string?[] { "READ-COMMITTED", "0" }, await Pooled.RowAsync(a, "SELECT @@tx_isolation, @@tx_read_only"));
                Assert.Equal(new string?[] { "REPEATABLE-READ", "1" }, await Pooled.RowAsync(b, "SELECT @@tx_isolation, @@tx_read_only"));
                Assert.Equal(1, await Pooled.ExecAsync(a, $"INSERT INTO `{table}` VALUES ({round})"));
                var error = await Assert.ThrowsAsync<MySqlException>(() => Pooled.ExecAsync(b, $"INSERT INTO `{table}` VALUES ({round + 100})"));
                Assert.Equal(1792, error.Number); // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
            }

            // READ COMMITTED for real: inside A's transaction a row committed meanwhile by someone else is seen.
            await Pooled.ExecAsync(a, "BEGIN");
            Assert.Equal(3L, await Pooled.LongAsync(a, $"SELECT COUNT(*) FROM `{table}`"));
            await Db.AdminAsync($"INSERT INTO app.`{table}` VALUES (50)", Ct);
            Assert.Equal(4L, await Pooled.LongAsync(a, $"SELECT COUNT(*) FROM `{table}`"));
            await Pooled.ExecAsync(a, "COMMIT");

            await Pooled.ExecAsync(b, "SET SESSION TRANSACTION READ WRITE");
            Assert.Equal(1, await Pooled.ExecAsync(b, $"INSERT INTO `{table}` VALUES (200)"));
            await AssertMultiplexedAsync(proxy, a, b);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Autocommit_OffForOneClient_OtherClientCommitsEachStatement()
    {
        await using TestTable table = await TestTable.CreateAsync("autoc", "id INT PRIMARY KEY", Ct);
        (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
        await using (proxy)
        await using (a)
        await using (b)
        {
            await Pooled.ExecAsync(a, "SET autocommit = 0");
            await AssertMultiplexedAsync(proxy, a, b);
            Assert.Equal(1L, await Pooled.LongAsync(b, "SELECT @@autocommit"));
            Assert.Equal(0L, await Pooled.LongAsync(a, "SELECT @@autocommit"));

            // B's insert is committed at once (visible on a direct connection)...
            await Pooled.ExecAsync(b, $"INSERT INTO `{table}` VALUES (1)");
            await using (MySqlConnection direct = await Db.OpenAsync(Topology.Direct(), Ct))
            {
                Assert.Equal(1L, await Pooled.LongAsync(direct, $"SELECT COUNT(*) FROM `{table}`"));

                // ...A's is not until A commits.
                await Pooled.ExecAsync(a, $"INSERT INTO `{table}` VALUES (2)");
                Assert.Equal(1L, await Pooled.LongAsync(direct, $"SELECT COUNT(*) FROM `{table}`"));
                await Pooled.ExecAsync(a, "COMMIT");
                Assert.Equal(2L, await Pooled.LongAsync(direct, $"SELECT COUNT(*) FROM `{table}`"));
            }

            await Pooled.ExecAsync(a, "SET autocommit = 1");
            Assert.Equal(1L, await Pooled.LongAsync(a, "SELECT @@autocommit"));
            await AssertMultiplexedAsync(proxy, a, b);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task VariablesSetBackToDefault_ClientSeesDefaultsAgain()
    {
        string?[] defaults = await Pooled.DirectDefaultsAsync();
        (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
        await using (proxy)
        await using (a)
        await using (b)
        {
            await Pooled.ExecAsync(a, Pooled.SetManyVariables);
            Assert.NotEqual(defaults, await Pooled.RowAsync(a, Pooled.SessionProbe));
            Assert.Equal(defaults, await Pooled.RowAsync(b, Pooled.SessionProbe));

            await Pooled.ExecAsync(a,
                "SET time_zone = DEFAULT, sql_mode = DEFAULT, tx_isolation = DEFAULT, autocommit = DEFAULT, " +
                "div_precision_increment = DEFAULT, @@session.group_concat_max_len = DEFAULT, max_statement_time = DEFAULT, lc_time_names = DEFAULT");
            for (int round = 0; round < 3; round++)
            {
                Assert.Equal(defaults, await Pooled.RowAsync(a, Pooled.SessionProbe));
                Assert.Equal(defaults, await Pooled.RowAsync(b, Pooled.SessionProbe));
            }

            await AssertMultiplexedAsync(proxy, a, b);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ManyVariables_EachClientKeepsItsOwnThroughTurns()
    {
        string?[] defaults = await Pooled.DirectDefaultsAsync();
        (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
        await using (proxy)
        await using (a)
        await using (b)
        {
            await Pooled.ExecAsync(a, Pooled.SetManyVariables);
            string?[] expected = [.. defaults];
            expected[0] = "+05:00";
            expected[1] = "PIPES_AS_CONCAT,ANSI_QUOTES";
            expected[2] = "SERIALIZABLE";
            expected[4] = "0";
            expected[9] = "9";
            expected[10] = "4321";
            expected[11] = "42";
            expected[12] = "de_DE";
            await Pooled.ExecAsync(b, "SET div_precision_increment = 2, lc_time_names = 'fr_FR'");
            string?[] expectedB = [.. defaults];
            expectedB[9] = "2";
            expectedB[12] = "fr_FR";
            for (int round = 0; round < 3; round++)
            {
                Assert.Equal(expected, await Pooled.RowAsync(a, Pooled.SessionProbe));
                Assert.Equal(expectedB, await Pooled.RowAsync(b, Pooled.SessionProbe));
                Assert.Equal("0.333333333", await Pooled.TextAsync(a, "SELECT 1/3"));
                Assert.Equal("0.33", await Pooled.TextAsync(b, "SELECT 1/3"));
                Assert.Equal("Januar", await Pooled.TextAsync(a, "SELECT MONTHNAME('2024-01-05')"));
                Assert.Equal("janvier", await Pooled.TextAsync(b, "SELECT MONTHNAME('2024-01-05')"));
            }

            await AssertMultiplexedAsync(proxy, a, b);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ReadsOnReplicas_CarryEachClientsState()
    {
        // With replicas, reads leave the primary: the state set there must follow them to the replicas'
        // connections (one per replica here, shared by both clients).
        string?[] defaults = await Pooled.DirectDefaultsAsync();
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10, replicas: true);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        await Pooled.ExecAsync(a, Pooled.SetManyVariables.Replace("autocommit = 0, ", string.Empty, StringComparison.Ordinal));
        string?[] expected = [.. defaults];
        expected[0] = "+05:00";
        expected[1] = "PIPES_AS_CONCAT,ANSI_QUOTES";
        expected[2] = "SERIALIZABLE";
        expected[9] = "9";
        expected[10] = "4321";
        expected[11] = "42";
        expected[12] = "de_DE";
        var ports = new HashSet<string?>();
        string[] replicaPorts = [.. Topology.Replicas.Select(r => r.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int round = 0; round < 10 || !ports.Overlaps(replicaPorts); round++)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"reads never reached a replica (ports {string.Join(", ", ports)})");
            string?[] ofA = await Pooled.RowAsync(a, Pooled.SessionProbe + ", @@port");
            string?[] ofB = await Pooled.RowAsync(b, Pooled.SessionProbe + ", @@port");
            Assert.Equal(expected, ofA[..^1]);
            Assert.Equal(defaults, ofB[..^1]);
            ports.Add(ofA[^1]);
            ports.Add(ofB[^1]);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task SetStatementVariable_AppliesToOneStatementOnly()
    {
        (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
        await using (proxy)
        await using (a)
        await using (b)
        {
            // MariaDB's SET STATEMENT ... FOR changes nothing in the session.
            Assert.Equal("+07:00", await Pooled.TextAsync(a, "SET STATEMENT time_zone = '+07:00' FOR SELECT @@time_zone"));
            Assert.Equal("SYSTEM", await Pooled.TextAsync(a, "SELECT @@time_zone"));
            Assert.Equal("SYSTEM", await Pooled.TextAsync(b, "SELECT @@time_zone"));
            await AssertMultiplexedAsync(proxy, a, b);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ClientWithoutDatabase_DoesNotInheritAnotherClientsSchema()
    {
        (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
        await using (proxy)
        await using (a)
        await using (b)
        {
            // Directly, a connection opened without a database has none.
            await using (var direct = new MySqlConnection(Topology.Direct(database: string.Empty)))
            {
                await direct.OpenAsync(Ct);
                Assert.Null(await Db.ScalarAsync(direct, "SELECT DATABASE()", Ct));
            }

            Assert.Equal("app", await Pooled.TextAsync(a, "SELECT DATABASE()"));
            await using var none = new MySqlConnection(proxy.ConnectionString(database: string.Empty));
            await none.OpenAsync(Ct);
            Assert.Null(await Db.ScalarAsync(none, "SELECT DATABASE()", Ct));
            var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ScalarAsync(none, "SELECT COUNT(*) FROM some_table", Ct));
            Assert.Equal(MySqlErrorCode.NoDatabaseSelected, error.ErrorCode);
        }
    }

    /// <summary>State of one client never reaches another that borrows the same connection, nor outlives the client.</summary>
    [Fact(Timeout = 120_000)]
    public async Task Isolation_VariablesOfOneClient_NeverSeenByAnother()
    {
        string?[] defaults = await Pooled.DirectDefaultsAsync();
        (ProxyInstance proxy, MySqlConnection a, MySqlConnection b) = await TwoClientsAsync();
        await using (proxy)
        await using (b)
        {
            await using (a)
            {
                await Pooled.ExecAsync(a, Pooled.SetManyVariables);
                await Pooled.ExecAsync(a, "SET NAMES latin1");
                Assert.Equal(defaults, await Pooled.RowAsync(b, Pooled.SessionProbe));
                Assert.Equal("+05:00", await Pooled.TextAsync(a, "SELECT @@time_zone"));
                Assert.Equal(defaults, await Pooled.RowAsync(b, Pooled.SessionProbe));

                // A's statement was the last on the connection when A leaves.
                Assert.Equal("PIPES_AS_CONCAT,ANSI_QUOTES", await Pooled.TextAsync(a, "SELECT @@sql_mode"));
                ClientSession session = Pooled.Session(proxy, a);
                await Pooled.WaitUnpinnedAsync(session);
            }

            // The next client gets that very connection, with none of A's state.
            await using MySqlConnection c = await Pooled.OpenAsync(proxy);
            Assert.Equal(defaults, await Pooled.RowAsync(c, Pooled.SessionProbe));
            Assert.Equal(defaults, await Pooled.RowAsync(b, Pooled.SessionProbe));
            Assert.Equal(1, proxy.Listener.Context.PrimaryPool.Open);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Isolation_ClientLeavesWhilePinned_StateDiesWithIt()
    {
        string?[] defaults = await Pooled.DirectDefaultsAsync();
        string temporary = Db.UniqueName("tmp");
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10);
        await using (MySqlConnection a = await Pooled.OpenAsync(proxy))
        {
            await Pooled.ExecAsync(a, Pooled.SetManyVariables);
            await Pooled.ExecAsync(a, "SET @leak = 'secret'");
            await Pooled.ExecAsync(a, $"CREATE TEMPORARY TABLE `{temporary}` (v INT)");
            await Pooled.WaitPinnedAsync(Pooled.Session(proxy, a), PinCauses.UserVariable | PinCauses.TemporaryTable);
        }

        await using MySqlConnection c = await Pooled.OpenAsync(proxy);
        Assert.Equal(defaults, await Pooled.RowAsync(c, Pooled.SessionProbe));
        Assert.Null(await Db.ScalarAsync(c, "SELECT @leak", Ct));
        var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ScalarAsync(c, $"SELECT COUNT(*) FROM `{temporary}`", Ct));
        Assert.Equal(MySqlErrorCode.NoSuchTable, error.ErrorCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task Isolation_AnotherUser_NeverGetsTheConnectionOrState()
    {
        // admin and app have separate pools (the key holds the user); with one slot, app's idle connection is
        // closed and a new one opened for admin, so admin sees admin's identity and defaults.
        string?[] defaults = await Pooled.DirectDefaultsAsync();
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10);
        await using MySqlConnection app = await Pooled.OpenAsync(proxy);
        await Pooled.ExecAsync(app, Pooled.SetManyVariables);
        await using MySqlConnection admin = await Pooled.OpenAsync(proxy, "admin", "admin");
        for (int round = 0; round < 3; round++)
        {
            Assert.Equal("admin", await Pooled.TextAsync(admin, "SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)"));
            Assert.Equal(defaults, await Pooled.RowAsync(admin, Pooled.SessionProbe));
            Assert.Equal("app", await Pooled.TextAsync(app, "SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)"));
            Assert.Equal("+05:00", await Pooled.TextAsync(app, "SELECT @@time_zone"));
        }

        Assert.Equal(1, proxy.Listener.Context.PrimaryPool.Open);
    }
}
