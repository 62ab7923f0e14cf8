using System.Diagnostics;
using MySqlConnector;
using MySqlProxy.Core.Sessions;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.Protocol;

namespace MySqlProxy.IntegrationTests.Pooling;

/// <summary>
/// Each cause that pins a session to its backend connection, and what releases it. A proxy with one backend
/// connection and a 1 s borrow timeout makes the pin visible from outside: while client A is pinned, client B
/// gets ERR 9001 after the timeout (never a hang); once A's state is gone, B runs on that same connection.
/// </summary>
public sealed class PinTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Opens A and B (a login borrows a connection too, so both log in before A pins it), has A create the
    /// state, checks the pin and the exhausted pool, lets the test look at A's pinned state, releases it,
    /// and checks that B now runs.
    /// </summary>
    private static async Task PinAndReleaseAsync(
        PinCauses cause,
        string[] create,
        string[] release,
        Func<MySqlConnection, Task>? whilePinned = null,
        Func<MySqlConnection, MySqlConnection, ClientSession, Task>? afterRelease = null,
        string user = "app")
    {
        await using ProxyInstance proxy = await Pooled.StartAsync();
        await using MySqlConnection a = await Pooled.OpenAsync(proxy, user, user);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        ClientSession session = Pooled.Session(proxy, a);
        await Pooled.WaitUnpinnedAsync(session);

        foreach (string sql in create)
        {
            await Pooled.ExecAsync(a, sql);
        }

        await Pooled.WaitPinnedAsync(session, cause);
        Assert.Equal(1, proxy.Listener.Context.PrimaryPool.Open);
        await Pooled.AssertExhaustedAsync(proxy, b);
        if (whilePinned is not null)
        {
            await whilePinned(a);
            await Pooled.WaitPinnedAsync(session, cause);
        }

        foreach (string sql in release)
        {
            await Pooled.ExecAsync(a, sql);
        }

        await Pooled.WaitUnpinnedAsync(session);
        await Pooled.AssertRunsAsync(b);
        Assert.Equal(1, proxy.Listener.Context.PrimaryPool.Open);
        if (afterRelease is not null)
        {
            await afterRelease(a, b, session);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task PoolExhausted_BorrowTimeout_ErrNotHang()
    {
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 1.5);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        await Pooled.ExecAsync(a, "BEGIN");
        await Pooled.WaitPinnedAsync(Pooled.Session(proxy, a), PinCauses.Transaction);
        (long waitsBefore, _) = proxy.Listener.Context.PrimaryPool.Waits;

        // A statement waits for the borrow timeout, then gets an ERR that names the limit; the session goes on.
        await Pooled.AssertExhaustedAsync(proxy, b);
        await Pooled.AssertExhaustedAsync(proxy, b);

        // A login needs a connection as well: it is refused the same way, not left hanging.
        var clock = Stopwatch.StartNew();
        var login = await Assert.ThrowsAsync<MySqlException>(() => Pooled.OpenAsync(proxy));
        Assert.Equal(ErrorCodes.PoolExhausted, login.Number);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.3), TimeSpan.FromSeconds(10));

        // Prepared statements wait and fail alike.
        await using (var prepared = new MySqlCommand("SELECT 1", b))
        {
            var error = await Assert.ThrowsAsync<MySqlException>(() => prepared.PrepareAsync(Ct));
            Assert.Equal(ErrorCodes.PoolExhausted, error.Number);
        }

        Assert.True(proxy.Listener.Context.PrimaryPool.Waits.Count >= waitsBefore + 4, "every refused borrow waited first");
        await Pooled.ExecAsync(a, "COMMIT");
        await Pooled.AssertRunsAsync(b);
    }

    [Fact(Timeout = 120_000)]
    public async Task PoolExhausted_WaiterServedWhenConnectionComesFree()
    {
        // A borrower that waits gets the connection as soon as it is returned, well within the timeout.
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        await Pooled.ExecAsync(a, "BEGIN");
        await Pooled.WaitPinnedAsync(Pooled.Session(proxy, a), PinCauses.Transaction);
        var clock = Stopwatch.StartNew();
        Task<long> waiting = Pooled.LongAsync(b, "SELECT 7");
        await Task.Delay(500, Ct);
        Assert.False(waiting.IsCompleted, "B ran while A's transaction held the only connection");
        await Pooled.ExecAsync(a, "COMMIT");
        Assert.Equal(7L, await waiting);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = 120_000)]
    public async Task Transaction_BeginCommit_PinnedUntilCommit()
    {
        await using TestTable table = await TestTable.CreateAsync("pin_tx", "id INT PRIMARY KEY", Ct);
        await PinAndReleaseAsync(PinCauses.Transaction,
            ["BEGIN", $"INSERT INTO `{table}` VALUES (1)"],
            ["COMMIT"],
            afterRelease: async (_, b, _) => Assert.Equal(1L, await Pooled.LongAsync(b, $"SELECT COUNT(*) FROM `{table}`")));
    }

    [Fact(Timeout = 120_000)]
    public async Task Transaction_StartTransactionRollback_PinnedUntilRollback()
    {
        await using TestTable table = await TestTable.CreateAsync("pin_rb", "id INT PRIMARY KEY", Ct);
        await PinAndReleaseAsync(PinCauses.Transaction,
            ["START TRANSACTION", $"INSERT INTO `{table}` VALUES (1)"],
            ["ROLLBACK"],
            whilePinned: async a => Assert.Equal(1L, await Pooled.LongAsync(a, $"SELECT COUNT(*) FROM `{table}`")),
            afterRelease: async (a, b, _) =>
            {
                Assert.Equal(0L, await Pooled.LongAsync(a, $"SELECT COUNT(*) FROM `{table}`"));
                Assert.Equal(0L, await Pooled.LongAsync(b, $"SELECT COUNT(*) FROM `{table}`"));
            });
    }

    [Fact(Timeout = 120_000)]
    public async Task Transaction_AutocommitOff_PinnedFromFirstWriteUntilCommit()
    {
        await using TestTable table = await TestTable.CreateAsync("pin_ac", "id INT PRIMARY KEY", Ct);
        await PinAndReleaseAsync(PinCauses.Transaction,
            ["SET autocommit = 0", $"INSERT INTO `{table}` VALUES (1)"],
            ["COMMIT"],
            afterRelease: async (a, b, session) =>
            {
                Assert.Equal(1L, await Pooled.LongAsync(b, $"SELECT COUNT(*) FROM `{table}`"));

                // autocommit stays off for A (carried to whichever connection it borrows), on for B.
                Assert.Equal(0L, await Pooled.LongAsync(a, "SELECT @@autocommit"));
                Assert.Equal(1L, await Pooled.LongAsync(b, "SELECT @@autocommit"));

                // The next write of A opens a transaction again, which ROLLBACK undoes.
                await Pooled.ExecAsync(a, $"INSERT INTO `{table}` VALUES (2)");
                await Pooled.WaitPinnedAsync(session, PinCauses.Transaction);
                await Pooled.ExecAsync(a, "ROLLBACK");
                Assert.Equal(1L, await Pooled.LongAsync(b, $"SELECT COUNT(*) FROM `{table}`"));
            });
    }

    [Fact(Timeout = 120_000)]
    public async Task NextTransaction_SetTransactionIsolation_PinnedUntilThatTransactionEnds()
    {
        await PinAndReleaseAsync(PinCauses.NextTransaction,
            ["SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"],
            ["START TRANSACTION", "COMMIT"]);
    }

    [Fact(Timeout = 120_000)]
    public async Task UserVariable_PinnedUntilResetConnection()
    {
        await using ProxyInstance proxy = await Pooled.StartAsync();
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        ClientSession session = Pooled.Session(proxy, a);
        await Pooled.ExecAsync(a, "SET @pin_var = 42");
        await Pooled.WaitPinnedAsync(session, PinCauses.UserVariable);
        await Pooled.AssertExhaustedAsync(proxy, b);
        Assert.Equal(42L, await Pooled.LongAsync(a, "SELECT @pin_var"));

        await a.ResetConnectionAsync(Ct);
        await Pooled.WaitUnpinnedAsync(session);
        await Pooled.AssertRunsAsync(b);

        // Gone for A (reading it pins A again, so B does not look after that).
        Assert.Null(await Db.ScalarAsync(a, "SELECT @pin_var", Ct));
    }

    [Fact(Timeout = 120_000)]
    public async Task TemporaryTable_PinnedUntilDropped()
    {
        string name = Db.UniqueName("tmp");
        await PinAndReleaseAsync(PinCauses.TemporaryTable,
            [$"CREATE TEMPORARY TABLE `{name}` (v INT)", $"INSERT INTO `{name}` VALUES (5), (6)"],
            [$"DROP TEMPORARY TABLE `{name}`"],
            whilePinned: async a => Assert.Equal(11L, await Pooled.LongAsync(a, $"SELECT SUM(v) FROM `{name}`")),
            afterRelease: async (a, b, _) =>
            {
                var error = await Assert.ThrowsAsync<MySqlException>(() => Pooled.LongAsync(b, $"SELECT COUNT(*) FROM `{name}`"));
                Assert.Equal(MySqlErrorCode.NoSuchTable, error.ErrorCode);
                error = await Assert.ThrowsAsync<MySqlException>(() => Pooled.LongAsync(a, $"SELECT COUNT(*) FROM `{name}`"));
                Assert.Equal(MySqlErrorCode.NoSuchTable, error.ErrorCode);
            });
    }

    [Fact(Timeout = 120_000)]
    public async Task TemporaryTable_TwoTables_PinnedUntilBothDropped()
    {
        await using ProxyInstance proxy = await Pooled.StartAsync();
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        ClientSession session = Pooled.Session(proxy, a);
        string first = Db.UniqueName("tmp1");
        string second = Db.UniqueName("tmp2");
        await Pooled.ExecAsync(a, $"CREATE TEMPORARY TABLE `{first}` (v INT)");
        await Pooled.ExecAsync(a, $"CREATE TEMPORARY TABLE `{second}` (v INT)");
        await Pooled.WaitPinnedAsync(session, PinCauses.TemporaryTable);
        await Pooled.ExecAsync(a, $"DROP TEMPORARY TABLE `{first}`");
        await Pooled.WaitPinnedAsync(session, PinCauses.TemporaryTable);
        await Pooled.AssertExhaustedAsync(proxy, b);
        await Pooled.ExecAsync(a, $"DROP TABLE `{second}`");
        await Pooled.WaitUnpinnedAsync(session);
        await Pooled.AssertRunsAsync(b);
    }

    [Fact(Timeout = 120_000)]
    public async Task NamedLock_PinnedUntilReleaseLock()
    {
        string lockName = Db.UniqueName("lock");
        await PinAndReleaseAsync(PinCauses.NamedLock,
            [$"SELECT GET_LOCK('{lockName}', 5)"],
            [$"SELECT RELEASE_LOCK('{lockName}')"],
            whilePinned: async a => Assert.Equal(1L, await Pooled.LongAsync(a, $"SELECT IS_USED_LOCK('{lockName}') IS NOT NULL")),
            afterRelease: async (_, b, _) => Assert.Equal(1L, await Pooled.LongAsync(b, $"SELECT IS_FREE_LOCK('{lockName}')")));
    }

    [Fact(Timeout = 120_000)]
    public async Task NamedLock_HeldLockBlocksOthersOnOtherConnections()
    {
        // The lock really is held by A's backend connection: another client (on another connection) cannot take it.
        string lockName = Db.UniqueName("lock");
        await using ProxyInstance proxy = await Pooled.StartAsync(maxPerBackend: 2);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        Assert.Equal(1L, await Pooled.LongAsync(a, $"SELECT GET_LOCK('{lockName}', 5)"));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(0L, await Pooled.LongAsync(b, $"SELECT GET_LOCK('{lockName}', 0)"));
            Assert.Equal(1L, await Pooled.LongAsync(a, $"SELECT IS_USED_LOCK('{lockName}') IS NOT NULL"));
        }

        Assert.Equal(1L, await Pooled.LongAsync(a, $"SELECT RELEASE_LOCK('{lockName}')"));
        await Pooled.WaitUnpinnedAsync(Pooled.Session(proxy, a));
        Assert.Equal(1L, await Pooled.LongAsync(b, $"SELECT GET_LOCK('{lockName}', 0)"));
        Assert.Equal(1L, await Pooled.LongAsync(b, $"SELECT RELEASE_LOCK('{lockName}')"));
    }

    [Fact(Timeout = 120_000)]
    public async Task LockTables_PinnedUntilUnlockTables()
    {
        await using TestTable table = await TestTable.CreateAsync("pin_lt", "id INT PRIMARY KEY", Ct);
        await PinAndReleaseAsync(PinCauses.LockTables,
            [$"LOCK TABLES `{table}` WRITE"],
            ["UNLOCK TABLES"],
            whilePinned: async a => await Pooled.ExecAsync(a, $"INSERT INTO `{table}` VALUES (1)"),
            afterRelease: async (_, b, _) => Assert.Equal(1L, await Pooled.LongAsync(b, $"SELECT COUNT(*) FROM `{table}`")));
    }

    [Fact(Timeout = 120_000)]
    public async Task GlobalReadLock_FlushTablesWithReadLock_PinnedUntilUnlockTables()
    {
        // Blocks every writer on the primary while it lasts: kept as short as the check allows.
        await PinAndReleaseAsync(PinCauses.GlobalReadLock,
            ["FLUSH TABLES WITH READ LOCK"],
            ["UNLOCK TABLES"],
            user: "admin");
    }

    [Fact(Timeout = 120_000)]
    public async Task FoundRows_PinnedForTheNextStatementOnly()
    {
        await using TestTable table = await TestTable.CreateAsync("pin_fr", "id INT PRIMARY KEY", Ct);
        await Db.AdminAsync($"INSERT INTO app.`{table}` SELECT seq FROM seq_1_to_37", Ct);
        await using ProxyInstance proxy = await Pooled.StartAsync();
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        ClientSession session = Pooled.Session(proxy, a);
        Assert.Equal(1L, await Pooled.LongAsync(a, $"SELECT SQL_CALC_FOUND_ROWS id FROM `{table}` ORDER BY id LIMIT 1"));
        await Pooled.WaitPinnedAsync(session, PinCauses.FoundRows);
        await Pooled.AssertExhaustedAsync(proxy, b);
        Assert.Equal(37L, await Pooled.LongAsync(a, "SELECT FOUND_ROWS()"));

        // The proxy keeps the pin over a statement that reads it; the next one ends it.
        await Pooled.WaitPinnedAsync(session, PinCauses.FoundRows);
        await Pooled.ExecAsync(a, "DO 0");
        await Pooled.WaitUnpinnedAsync(session);
        await Pooled.AssertRunsAsync(b);
    }

    [Fact(Timeout = 120_000)]
    public async Task FoundRows_OtherClientsBusy_EachGetsItsOwnCount()
    {
        // Eight clients share two backend connections; each counts a different number of rows and must read
        // back its own FOUND_ROWS(), never that of a client whose statement ran on the connection in between.
        await using TestTable table = await TestTable.CreateAsync("pin_frb", "id INT PRIMARY KEY", Ct);
        await Db.AdminAsync($"INSERT INTO app.`{table}` SELECT seq FROM seq_1_to_100", Ct);
        await using ProxyInstance proxy = await Pooled.StartAsync(maxPerBackend: 2, borrowTimeoutSeconds: 30);
        await Parallel.ForAsync(0, 8, Ct, async (client, ct) =>
        {
            await using MySqlConnection connection = await Pooled.OpenAsync(proxy);
            for (int round = 0; round < 25; round++)
            {
                int limit = 1 + ((client * 11 + round * 7) % 90);
                await Pooled.ExecAsync(connection, $"SELECT SQL_CALC_FOUND_ROWS id FROM `{table}` WHERE id <= {limit} LIMIT 1");
                Assert.Equal(limit, await Pooled.LongAsync(connection, "SELECT FOUND_ROWS()"));
            }
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task LastInsertId_PinnedForTheNextStatementOnly()
    {
        await using TestTable table = await TestTable.CreateAsync("pin_li", "id INT AUTO_INCREMENT PRIMARY KEY, v INT", Ct);
        await Db.AdminAsync($"ALTER TABLE app.`{table}` AUTO_INCREMENT = 1000", Ct);
        await using ProxyInstance proxy = await Pooled.StartAsync();
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        ClientSession session = Pooled.Session(proxy, a);
        await Pooled.ExecAsync(a, $"INSERT INTO `{table}` (v) VALUES (1)");
        await Pooled.WaitPinnedAsync(session, PinCauses.LastInsertId);
        await Pooled.AssertExhaustedAsync(proxy, b);
        Assert.Equal(1000L, await Pooled.LongAsync(a, "SELECT LAST_INSERT_ID()"));
        await Pooled.WaitPinnedAsync(session, PinCauses.LastInsertId);
        await Pooled.ExecAsync(a, "DO 0");
        await Pooled.WaitUnpinnedAsync(session);
        await Pooled.AssertRunsAsync(b);
    }

    [Fact(Timeout = 120_000)]
    public async Task LastInsertId_OtherClientsInserting_EachGetsItsOwnId()
    {
        await using TestTable table = await TestTable.CreateAsync("pin_lib", "id INT AUTO_INCREMENT PRIMARY KEY, client INT, round INT", Ct);
        await using ProxyInstance proxy = await Pooled.StartAsync(maxPerBackend: 2, borrowTimeoutSeconds: 30);
        await Parallel.ForAsync(0, 8, Ct, async (client, ct) =>
        {
            await using MySqlConnection connection = await Pooled.OpenAsync(proxy);
            for (int round = 0; round < 25; round++)
            {
                await Pooled.ExecAsync(connection, $"INSERT INTO `{table}` (client, round) VALUES ({client}, {round})");
                long id = await Pooled.LongAsync(connection, "SELECT LAST_INSERT_ID()");
                Assert.Equal($"{client}/{round}", await Pooled.TextAsync(connection, $"SELECT CONCAT(client, '/', round) FROM `{table}` WHERE id = {id}"));
            }
        });
    }

    [Fact(Timeout = 120_000, Skip = "BUG: next-statement pins (LastInsertId after every INSERT into an AUTO_INCREMENT table, Warnings, FoundRows) " +
        "keep the backend connection until the client's next statement, however long the client stays idle; clients parked in an " +
        "application's connection pool after an INSERT each hold a backend connection, so other clients wait and get ERR 9001")]
    public async Task IdleClientsAfterInsertOrWarning_DoNotHoldBackendConnections()
    {
        // Two clients do what applications do all the time, then sit idle (back in the application's own pool):
        // an INSERT that generates an id, a statement with a warning. A third client must still get a connection.
        await using TestTable table = await TestTable.CreateAsync("soft", "id INT AUTO_INCREMENT PRIMARY KEY, v INT", Ct);
        await using ProxyInstance proxy = await Pooled.StartAsync(maxPerBackend: 2, borrowTimeoutSeconds: 2);
        await using MySqlConnection inserter = await Pooled.OpenAsync(proxy);
        await using MySqlConnection warned = await Pooled.OpenAsync(proxy);
        await using MySqlConnection third = await Pooled.OpenAsync(proxy);
        await Pooled.ExecAsync(inserter, $"INSERT INTO `{table}` (v) VALUES (1)");
        await Pooled.ExecAsync(warned, "SELECT CAST('12abc' AS SIGNED)");
        await Pooled.AssertRunsAsync(third);
    }

    [Fact(Timeout = 120_000)]
    public async Task Warnings_ShowWarningsSeesThePreviousStatement()
    {
        await using ProxyInstance proxy = await Pooled.StartAsync();
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        ClientSession session = Pooled.Session(proxy, a);
        await Pooled.ExecAsync(a, "SELECT CAST('12abc' AS SIGNED)");
        await Pooled.WaitPinnedAsync(session, PinCauses.Warnings);
        await Pooled.AssertExhaustedAsync(proxy, b);
        string?[] warning = await Pooled.RowAsync(a, "SHOW WARNINGS");
        Assert.Equal("1292", warning[1]);
        Assert.Equal(1L, await Pooled.LongAsync(a, "SELECT @@warning_count"));
        await Pooled.WaitPinnedAsync(session, PinCauses.Warnings);
        await Pooled.ExecAsync(a, "DO 0");
        await Pooled.WaitUnpinnedAsync(session);
        await Pooled.AssertRunsAsync(b);
    }

    [Fact(Timeout = 120_000)]
    public async Task SqlPrepare_PinnedUntilDeallocate()
    {
        await PinAndReleaseAsync(PinCauses.SqlPrepare,
            ["PREPARE pin_stmt FROM 'SELECT 40 + 2'"],
            ["DEALLOCATE PREPARE pin_stmt"],
            whilePinned: async a => Assert.Equal(42L, await Pooled.LongAsync(a, "EXECUTE pin_stmt")),
            afterRelease: async (a, _, _) =>
            {
                var error = await Assert.ThrowsAsync<MySqlException>(() => Pooled.LongAsync(a, "EXECUTE pin_stmt"));
                Assert.Equal(MySqlErrorCode.UnknownStatementHandler, error.ErrorCode);
            });
    }

    [Fact(Timeout = 120_000)]
    public async Task SqlPrepare_TwoStatements_DropPrepareReleasesWhenBothGone()
    {
        await PinAndReleaseAsync(PinCauses.SqlPrepare,
            ["PREPARE pin_one FROM 'SELECT 1'", "PREPARE pin_two FROM 'SELECT 2'"],
            ["DEALLOCATE PREPARE pin_one", "DROP PREPARE pin_two"]);
    }

    [Fact(Timeout = 120_000)]
    public async Task UnreplayableVariable_PinnedForTheSession()
    {
        // A variable the proxy cannot carry to another connection keeps the session where it was set.
        await using ProxyInstance proxy = await Pooled.StartAsync();
        await using MySqlConnection a = await Pooled.OpenAsync(proxy);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        ClientSession session = Pooled.Session(proxy, a);
        await Pooled.ExecAsync(a, "SET SESSION session_track_schema = OFF");
        await Pooled.WaitPinnedAsync(session, PinCauses.UnreplayableVariable);
        await Pooled.AssertExhaustedAsync(proxy, b);
        await a.ResetConnectionAsync(Ct);
        await Pooled.WaitUnpinnedAsync(session);
        await Pooled.AssertRunsAsync(b);
    }

    [Fact(Timeout = 120_000)]
    public async Task Cursor_PinnedUntilLastRowFetched()
    {
        await using ProxyInstance proxy = await Pooled.StartAsync();
        await using RawSession a = await RawSession.LoginAsync(proxy.Port);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        ClientSession session = Pooled.Session(proxy, a.ConnectionId);
        RawStatement statement = await a.PrepareAsync("SELECT seq FROM seq_1_to_5");
        await Pooled.WaitUnpinnedAsync(session);

        ServerStatus status = await a.ExecuteWithCursorAsync(statement);
        Assert.True((status & ServerStatus.CursorExists) != 0, $"no cursor opened: {status}");
        await Pooled.WaitPinnedAsync(session, PinCauses.Cursor);
        await Pooled.AssertExhaustedAsync(proxy, b);

        (List<long> rows, status) = await a.FetchAsync(statement, 2);
        Assert.Equal([1L, 2L], rows);
        Assert.True((status & ServerStatus.LastRowSent) == 0);
        await Pooled.WaitPinnedAsync(session, PinCauses.Cursor);

        (rows, status) = await a.FetchAsync(statement, 10);
        Assert.Equal([3L, 4L, 5L], rows);
        Assert.True((status & ServerStatus.LastRowSent) != 0, $"last row not flagged: {status}");
        await Pooled.WaitUnpinnedAsync(session);
        await Pooled.AssertRunsAsync(b);

        // The statement still runs (prepared again wherever it lands) and a new cursor can be closed by COM_STMT_RESET.
        status = await a.ExecuteWithCursorAsync(statement);
        Assert.True((status & ServerStatus.CursorExists) != 0);
        await Pooled.WaitPinnedAsync(session, PinCauses.Cursor);
        await a.ResetStatementAsync(statement);
        await Pooled.WaitUnpinnedAsync(session);
        await Pooled.AssertRunsAsync(b);
    }

    [Fact(Timeout = 120_000)]
    public async Task LongData_PinnedUntilExecute()
    {
        await using ProxyInstance proxy = await Pooled.StartAsync();
        await using RawSession a = await RawSession.LoginAsync(proxy.Port);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy);
        ClientSession session = Pooled.Session(proxy, a.ConnectionId);
        RawStatement statement = await a.PrepareAsync("SELECT CONCAT('<', ?, '>')");
        await Pooled.WaitUnpinnedAsync(session);

        await a.SendLongDataAsync(statement, 0, "long ");
        await a.SendLongDataAsync(statement, 0, "data 😀");
        await Pooled.WaitPinnedAsync(session, PinCauses.LongData);
        await Pooled.AssertExhaustedAsync(proxy, b);

        Assert.Equal("<long data 😀>", await a.ExecuteLongDataAsync(statement));
        await Pooled.WaitUnpinnedAsync(session);
        await Pooled.AssertRunsAsync(b);

        // COM_STMT_RESET throws sent data away and releases the pin as well.
        await a.SendLongDataAsync(statement, 0, "dropped");
        await Pooled.WaitPinnedAsync(session, PinCauses.LongData);
        await a.ResetStatementAsync(statement);
        await Pooled.WaitUnpinnedAsync(session);
        await Pooled.AssertRunsAsync(b);
    }
}
