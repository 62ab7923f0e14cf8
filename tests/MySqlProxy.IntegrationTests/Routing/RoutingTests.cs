using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Routing;

/// <summary>
/// Where each statement runs, seen from the client through <c>@@server_id</c>: reads on replicas, writes, locking
/// reads, reads with side effects and whole transactions on the primary, hints obeyed. These tests leave
/// replication alone and run in parallel with the rest; see <see cref="ReplicaLagTests"/> for the ones that don't.
/// </summary>
public sealed class RoutingTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 60_000)]
    [InlineData("SELECT @@server_id")]
    [InlineData("select @@server_id")]
    [InlineData("  /* leading */ SELECT @@server_id")]
    [InlineData("SELECT @@server_id -- FOR UPDATE")]
    [InlineData("SELECT @@server_id /* FOR UPDATE */")]
    [InlineData("SELECT @@server_id, 'FOR UPDATE', 'it''s', 'a\\'b' FROM DUAL")]
    [InlineData("SELECT @@server_id AS `update`")]
    [InlineData("/*!50100 SELECT @@server_id */")]
    [InlineData("/*M!100100 SELECT @@server_id */")]
    [InlineData("WITH c AS (SELECT @@server_id AS s) SELECT s FROM c")]
    [InlineData("SELECT s FROM (SELECT @@server_id AS s) AS d WHERE s IN (SELECT @@server_id)")]
    [InlineData("SELECT @@server_id UNION ALL SELECT @@server_id")]
    [InlineData("(SELECT @@server_id) UNION ALL (SELECT @@server_id)")]
    [InlineData("SELECT @@server_id FROM DUAL WHERE 'route=primary' <> ''")]
    [InlineData("SELECT @@server_id, CONNECTION_ID() > 0")]
    [InlineData("SET STATEMENT max_statement_time = 10 FOR SELECT @@server_id")]
    [InlineData("SELECT @@server_id; SELECT 2")]
    public async Task Read_PlainSelect_RunsOnAReplica(string sql)
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);

        for (int i = 0; i < 3; i++)
        {
            long id = await Servers.ServerIdAsync(connection, sql);
            Assert.True(ids.IsReplica(id), $"{sql} ran on {ids.Name(id)}");
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("SELECT @@server_id FOR UPDATE")]
    [InlineData("select @@server_id for update")]
    [InlineData("SELECT @@server_id LOCK IN SHARE MODE")]
    [InlineData("SELECT @@server_id /*!50000 FOR UPDATE */")]
    [InlineData("SELECT @@server_id # it's a comment\nFOR UPDATE")]
    [InlineData("SELECT @@server_id, LAST_INSERT_ID()")]
    [InlineData("SELECT @@server_id, FOUND_ROWS()")]
    [InlineData("SELECT @@server_id, ROW_COUNT()")]
    [InlineData("SELECT SQL_CALC_FOUND_ROWS @@server_id")]
    [InlineData("SELECT @@server_id, IS_FREE_LOCK('it_routing_free')")]
    [InlineData("SELECT @@server_id, UUID_SHORT()")]
    [InlineData("SELECT @@server_id, @@warning_count")]
    [InlineData("SELECT @@server_id UNION SELECT 0 FOR UPDATE")]
    [InlineData("/* route=primary */ SELECT @@server_id")]
    [InlineData("SELECT @@server_id; SELECT 1 FOR UPDATE")]
    [InlineData("SELECT @@server_id; DO 1")]
    public async Task PrimaryOnly_SelectServerId_RunsOnPrimary(string sql)
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);

        for (int i = 0; i < 3; i++)
        {
            long id = await Servers.ServerIdAsync(connection, sql);
            Assert.True(id == ids.Primary, $"{sql} ran on {ids.Name(id)}");
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task SelectInto_UserVariable_RunsOnPrimaryAndKeepsTheVariable()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);

        await Servers.ExecAsync(connection, "SELECT @@server_id INTO @sid");

        Assert.Equal(ids.Primary, await Servers.ServerIdAsync(connection, "SELECT @sid"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Sequence_NextValue_RunsOnPrimary()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        string sequence = Db.UniqueName("seq");
        await Servers.ExecAsync(connection, $"CREATE SEQUENCE app.`{sequence}`");
        try
        {
            foreach (string sql in new[]
            {
                $"SELECT @@server_id, NEXTVAL(app.`{sequence}`)",
                $"SELECT @@server_id, NEXT VALUE FOR app.`{sequence}`",
                $"SELECT @@server_id, LASTVAL(app.`{sequence}`)",
                $"SELECT @@server_id, PREVIOUS VALUE FOR app.`{sequence}`",
                $"SELECT @@server_id, SETVAL(app.`{sequence}`, 100)",
            })
            {
                long id = await Servers.ServerIdAsync(connection, sql);
                Assert.True(id == ids.Primary, $"{sql} ran on {ids.Name(id)}");
            }
        }
        finally
        {
            await Db.AdminAsync($"DROP SEQUENCE IF EXISTS app.`{sequence}`", CancellationToken.None);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task GetLock_HeldOnPrimary_SessionStaysThereUntilReleased()
    {
        ServerIds ids = await Servers.IdsAsync();
        string name = Db.UniqueName("lock");
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using MySqlConnection direct = await Db.OpenAsync(Topology.Direct(), Ct);

        Assert.Equal(ids.Primary, await Servers.ServerIdAsync(connection, $"SELECT @@server_id, GET_LOCK('{name}', 0)"));
        Assert.NotNull(await Db.ScalarAsync(direct, $"SELECT IS_USED_LOCK('{name}')", Ct));

        // A named lock pins the session: its plain reads run on the same primary connection.
        (long server, long thread) = await Servers.WhereAsync(connection);
        Assert.Equal(ids.Primary, server);
        Assert.Equal((server, thread), await Servers.WhereAsync(connection));

        Assert.Equal(1L, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT RELEASE_LOCK('{name}')", Ct)));
        Assert.Null(await Db.ScalarAsync(direct, $"SELECT IS_USED_LOCK('{name}')", Ct));
        await Servers.WaitForReplicaReadAsync(connection, ids);
    }

    [Fact(Timeout = 60_000)]
    public async Task Transaction_ReadsAndWrites_AllOnOnePrimaryConnection_ThenReadsBackOnReplicas()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "tx", "id INT PRIMARY KEY, v INT");

        await Servers.ExecAsync(connection, "BEGIN");
        (long server, long thread) first = await Servers.WhereAsync(connection);
        Assert.True(first.server == ids.Primary, $"first SELECT in the transaction ran on {ids.Name(first.server)}");
        var seen = new List<(long, long)> { first };
        for (int i = 0; i < 5; i++)
        {
            await Servers.ExecAsync(connection, $"INSERT INTO {table} VALUES ({i}, {i})");
            seen.Add(await Servers.WhereAsync(connection));
            Assert.Equal(i + 1L, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT COUNT(*) FROM {table}", Ct)));
            seen.Add(await Servers.WhereAsync(connection));
            seen.Add(await Servers.WhereAsync(connection, $"SELECT @@server_id, @@pseudo_thread_id FROM {table} WHERE id = {i}"));
        }

        await Servers.ExecAsync(connection, $"UPDATE {table} SET v = v + 1");
        seen.Add(await Servers.WhereAsync(connection));
        await Servers.ExecAsync(connection, "COMMIT");

        Assert.All(seen, where => Assert.Equal(first, where));

        // After COMMIT the session reads from replicas again, once one has its commit; and sees it there.
        long replica = await Servers.WaitForReplicaReadAsync(connection, ids);
        Assert.True(ids.IsReplica(replica));
        Assert.Equal(5L, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT COUNT(*) FROM {table} WHERE v = id + 1", Ct)));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("BEGIN", "COMMIT")]
    [InlineData("START TRANSACTION", "ROLLBACK")]
    [InlineData("start transaction read write", "commit")]
    [InlineData("START TRANSACTION WITH CONSISTENT SNAPSHOT", "COMMIT")]
    [InlineData("BEGIN WORK", "ROLLBACK WORK")]
    public async Task Transaction_OnlySelects_AllOnOnePrimaryConnection(string begin, string end)
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);

        await Servers.ExecAsync(connection, begin);
        (long server, long thread) first = await Servers.WhereAsync(connection);
        Assert.True(first.server == ids.Primary, $"SELECT after {begin} ran on {ids.Name(first.server)}");
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(first, await Servers.WhereAsync(connection));
            Assert.Equal(ids.Primary, await Servers.ServerIdAsync(connection));
        }

        await Servers.ExecAsync(connection, end);
        await Servers.WaitForReplicaReadAsync(connection, ids);
    }

    [Fact(Timeout = 60_000)]
    public async Task Transaction_ClientApi_NeverSpansBackends()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "txapi", "id INT PRIMARY KEY");

        for (int round = 0; round < 5; round++)
        {
            await using MySqlTransaction transaction = await connection.BeginTransactionAsync(Ct);
            var seen = new HashSet<(long, long)>();
            for (int i = 0; i < 4; i++)
            {
                await using (var insert = new MySqlCommand($"INSERT INTO {table} VALUES ({(round * 10) + i})", connection, transaction))
                {
                    await insert.ExecuteNonQueryAsync(Ct);
                }

                await using var where = new MySqlCommand("SELECT @@server_id, @@pseudo_thread_id", connection, transaction);
                await using var reader = await where.ExecuteReaderAsync(Ct);
                Assert.True(await reader.ReadAsync(Ct));
                seen.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }

            (long server, long _) = Assert.Single(seen);
            Assert.Equal(ids.Primary, server);
            if (round % 2 == 0)
            {
                await transaction.CommitAsync(Ct);
            }
            else
            {
                await transaction.RollbackAsync(Ct);
            }
        }

        await Servers.WaitForReplicaReadAsync(connection, ids);
        Assert.Equal(12L, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT COUNT(*) FROM {table}", Ct)));
    }

    [Fact(Timeout = 60_000)]
    public async Task ReadOnlyTransaction_WholeTransactionOnOneReplicaConnection()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        var replicasUsed = new HashSet<long>();

        for (int round = 0; round < 10; round++)
        {
            await Servers.ExecAsync(connection, round % 2 == 0 ? "START TRANSACTION READ ONLY" : "start transaction with consistent snapshot, read only");
            (long server, long thread) first = await Servers.WhereAsync(connection);
            Assert.True(ids.IsReplica(first.server), $"read-only transaction ran on {ids.Name(first.server)}");
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(first, await Servers.WhereAsync(connection));
                Assert.Equal(first.server, await Servers.ServerIdAsync(connection, "SELECT @@server_id, COUNT(*) FROM information_schema.schemata"));
            }

            await Servers.ExecAsync(connection, "COMMIT");
            replicasUsed.Add(first.server);
        }

        Assert.All(replicasUsed, id => Assert.True(ids.IsReplica(id)));
    }

    [Fact(Timeout = 60_000)]
    public async Task ReadOnlyTransaction_Write_FailsLikeDirect()
    {
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "rotx", "id INT");
        await using MySqlConnection direct = await Db.OpenAsync(Topology.Direct(), Ct);

        async Task<int> WriteInReadOnlyTransactionAsync(MySqlConnection c)
        {
            await Servers.ExecAsync(c, "START TRANSACTION READ ONLY");
            var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ExecuteAsync(c, $"INSERT INTO {table} VALUES (1)", Ct));
            await Servers.ExecAsync(c, "ROLLBACK");
            return error.Number;
        }

        int expected = await WriteInReadOnlyTransactionAsync(direct);
        Assert.Equal(expected, await WriteInReadOnlyTransactionAsync(connection));
        Assert.Equal(0L, Convert.ToInt64(await Db.ScalarAsync(direct, $"SELECT COUNT(*) FROM {table}", Ct)));
    }

    [Fact(Timeout = 60_000)]
    public async Task AutocommitOff_EveryStatementOnPrimary_UntilBackOn()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "ac", "id INT");
        await Servers.WaitForReplicaReadAsync(connection, ids);

        await Servers.ExecAsync(connection, "SET autocommit = 0");
        var seen = new HashSet<long>();
        for (int i = 0; i < 5; i++)
        {
            seen.Add(await Servers.ServerIdAsync(connection));
            await Servers.ExecAsync(connection, $"INSERT INTO {table} VALUES ({i})");
            seen.Add(await Servers.ServerIdAsync(connection, $"SELECT @@server_id, COUNT(*) FROM {table}"));
            await Servers.ExecAsync(connection, i % 2 == 0 ? "COMMIT" : "ROLLBACK");
            seen.Add(await Servers.ServerIdAsync(connection));
        }

        Assert.Equal(ids.Primary, Assert.Single(seen));

        await Servers.ExecAsync(connection, "SET autocommit = 1");
        await Servers.WaitForReplicaReadAsync(connection, ids);
        Assert.Equal(3L, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT COUNT(*) FROM {table}", Ct)));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("/* route=primary */ SELECT @@server_id", "db1")]
    [InlineData("SELECT /* route=master */ @@server_id", "db1")]
    [InlineData("SELECT @@server_id -- route=primary", "db1")]
    [InlineData("SELECT @@server_id # route=primary", "db1")]
    [InlineData("/* route=db1 */ SELECT @@server_id", "db1")]
    [InlineData("/* route=db2 */ SELECT @@server_id", "db2")]
    [InlineData("/* route=db3 */ SELECT @@server_id", "db3")]
    [InlineData("/* route=db3 */ SELECT @@server_id FOR UPDATE", "db3")]
    [InlineData("/* route=db2 */ SELECT @@server_id, LAST_INSERT_ID()", "db2")]
    public async Task Hint_RouteToBackend_RunsThere(string sql, string backend)
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);

        for (int i = 0; i < 5; i++)
        {
            long id = await Servers.ServerIdAsync(connection, sql);
            Assert.True(id == ids.Of(backend), $"{sql} ran on {ids.Name(id)}, expected {backend}");
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("/* route=replica */ SELECT @@server_id")]
    [InlineData("/* route=slave */ SELECT @@server_id")]
    [InlineData("/* route=replica */ SELECT @@server_id FOR UPDATE")]
    [InlineData("/* route=replica */ SELECT @@server_id, LAST_INSERT_ID()")]
    public async Task Hint_RouteReplica_RunsOnAReplica(string sql)
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);

        for (int i = 0; i < 5; i++)
        {
            long id = await Servers.ServerIdAsync(connection, sql);
            Assert.True(ids.IsReplica(id), $"{sql} ran on {ids.Name(id)}");
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Hint_RouteReplicaAfterWrite_ReadYourWritesStillHolds()
    {
        // route=replica makes a statement a read, but read-your-writes still applies: until a replica has the
        // session's write the hinted read runs on the primary, and it always sees the write.
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "hintrw", "id INT");

        await Servers.ExecAsync(connection, $"INSERT INTO {table} VALUES (1)");
        Assert.Equal(1L, Convert.ToInt64(await Db.ScalarAsync(connection, $"/* route=replica */ SELECT COUNT(*) FROM {table}", Ct)));

        long id = await Servers.WaitForReplicaReadAsync(connection, ids, $"/* route=replica */ SELECT @@server_id FROM {table}");
        Assert.True(ids.IsReplica(id));
        Assert.Equal(1L, Convert.ToInt64(await Db.ScalarAsync(connection, $"/* route=replica */ SELECT COUNT(*) FROM {table}", Ct)));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("/* route=nosuch */ SELECT 1")]
    [InlineData("/* route=db9 */ SELECT @@server_id")]
    [InlineData("INSERT INTO nowhere VALUES (1) -- route=nosuch")]
    public async Task Hint_UnknownBackend_Error9003_SessionGoesOn(string sql)
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);

        var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ScalarAsync(connection, sql, Ct));
        Assert.Equal(9003, error.Number);
        Assert.Contains("unknown backend", error.Message, StringComparison.OrdinalIgnoreCase);

        Assert.True(ids.IsReplica(await Servers.ServerIdAsync(connection)));
        Assert.Equal(1L, Convert.ToInt64(await Db.ScalarAsync(connection, "SELECT 1", Ct)));
    }

    [Fact(Timeout = 120_000)]
    public async Task Reads_FreshSessions_SpreadOverBothReplicas()
    {
        ServerIds ids = await Servers.IdsAsync();
        var counts = new Dictionary<long, int>();
        using var gate = new SemaphoreSlim(10);
        long[] results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            await gate.WaitAsync(Ct);
            try
            {
                await using MySqlConnection connection = await Servers.OpenAsync(fixture);
                return await Servers.ServerIdAsync(connection);
            }
            finally
            {
                gate.Release();
            }
        }));

        foreach (long id in results)
        {
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        string summary = string.Join(", ", counts.Select(p => $"{ids.Name(p.Key)}={p.Value}"));
        Assert.All(ids.Replicas, replica => Assert.True(counts.GetValueOrDefault(replica) > 0, $"replica {ids.Name(replica)} got no read: {summary}"));
        Assert.True(counts.GetValueOrDefault(ids.Primary) <= 20, $"too many reads on the primary: {summary}");
    }

    [Fact(Timeout = 60_000)]
    public async Task Reads_OneSessionWithoutWrites_ReachBothReplicas()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        var seen = new HashSet<long>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Monotonic reads may keep the session off a replica for a moment after it read from one further ahead.
        while (!ids.Replicas.All(seen.Contains) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            seen.Add(await Servers.ServerIdAsync(connection));
        }

        Assert.All(ids.Replicas, replica => Assert.Contains(replica, seen));
    }

    [Fact(Timeout = 60_000)]
    public async Task ReadYourWrites_WriteThenRead_AlwaysSeesTheWrite()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "ryw", "v INT NOT NULL PRIMARY KEY");
        var where = new Dictionary<long, int>();

        for (int i = 0; i < 200; i++)
        {
            await Servers.ExecAsync(connection, $"INSERT INTO {table} VALUES ({i})");
            await using var command = new MySqlCommand($"SELECT COUNT(*), @@server_id FROM {table} WHERE v = {i}", connection);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            Assert.True(await reader.ReadAsync(Ct));
            Assert.True(reader.GetInt64(0) == 1, $"iteration {i}: the read on {ids.Name(reader.GetInt64(1))} missed the session's own write");
            where[reader.GetInt64(1)] = where.GetValueOrDefault(reader.GetInt64(1)) + 1;
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", where.Select(p => $"{ids.Name(p.Key)}={p.Value}")));

        // Once the replicas have caught up, the session's reads go back to them and still see everything.
        await Servers.WaitForReplicaReadAsync(connection, ids);
        Assert.Equal(200L, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT COUNT(*) FROM {table}", Ct)));
    }

    [Fact(Timeout = 60_000)]
    public async Task TemporaryTable_CreatedAndReadOnPrimary()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);

        await Servers.ExecAsync(connection, "CREATE TEMPORARY TABLE it_tmp (a INT)", "INSERT INTO it_tmp VALUES (1), (2)");

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(ids.Primary, await Servers.ServerIdAsync(connection, "SELECT @@server_id, COUNT(*) FROM it_tmp"));
            Assert.Equal(2L, Convert.ToInt64(await Db.ScalarAsync(connection, "SELECT COUNT(*) FROM it_tmp", Ct)));
        }

        await Servers.ExecAsync(connection, "DROP TEMPORARY TABLE it_tmp");
        await Servers.WaitForReplicaReadAsync(connection, ids);
    }

    [Fact(Timeout = 60_000)]
    public async Task LockTables_SessionOnPrimaryUntilUnlock()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "lock", "id INT");

        await Servers.ExecAsync(connection, $"LOCK TABLES {table} READ");
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(ids.Primary, await Servers.ServerIdAsync(connection, $"SELECT @@server_id, COUNT(*) FROM {table}"));
        }

        await Servers.ExecAsync(connection, "UNLOCK TABLES");
        await Servers.WaitForReplicaReadAsync(connection, ids);
    }

    [Fact(Timeout = 60_000)]
    public async Task XaTransaction_AllOnPrimary()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "xa", "id INT");
        string xid = Db.UniqueName("xid");

        await Servers.ExecAsync(connection, $"XA START '{xid}'");
        (long server, long thread) first = await Servers.WhereAsync(connection);
        await Servers.ExecAsync(connection, $"INSERT INTO {table} VALUES (1)");
        Assert.Equal(first, await Servers.WhereAsync(connection));
        Assert.Equal(1L, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT COUNT(*) FROM {table}", Ct)));
        await Servers.ExecAsync(connection, $"XA END '{xid}'", $"XA PREPARE '{xid}'", $"XA COMMIT '{xid}'");

        Assert.Equal(ids.Primary, first.server);
        await Servers.WaitForReplicaReadAsync(connection, ids);
        Assert.Equal(1L, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT COUNT(*) FROM {table}", Ct)));
    }

    [Fact(Timeout = 60_000)]
    public async Task SqlPrepare_ExecuteRunsOnPrimary()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);

        await Servers.ExecAsync(connection, "PREPARE it_s FROM 'SELECT @@server_id'");
        Assert.Equal(ids.Primary, await Servers.ServerIdAsync(connection, "EXECUTE it_s"));
        Assert.Equal(ids.Primary, await Servers.ServerIdAsync(connection, "EXECUTE it_s"));
        await Servers.ExecAsync(connection, "DEALLOCATE PREPARE it_s");
        await Servers.WaitForReplicaReadAsync(connection, ids);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("SELECT @@server_id", false)]
    [InlineData("SELECT @@server_id, @p", false)]
    [InlineData("SELECT @@server_id FOR UPDATE", true)]
    [InlineData("SELECT @@server_id, IS_FREE_LOCK('it_routing_prepared')", true)]
    public async Task PreparedStatement_RoutedByItsText(string sql, bool primary)
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Db.OpenAsync(fixture.ConnectionString(extra: Db.Prepared), Ct);
        await using var command = new MySqlCommand(sql, connection);
        command.Parameters.AddWithValue("@p", 7);
        await command.PrepareAsync(Ct);

        for (int i = 0; i < 5; i++)
        {
            long id = Convert.ToInt64(await command.ExecuteScalarAsync(Ct));
            Assert.True(primary ? id == ids.Primary : ids.IsReplica(id), $"prepared {sql} ran on {ids.Name(id)}");
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task MultiStatement_AllReads_OneReplica_WithAWrite_Primary()
    {
        ServerIds ids = await Servers.IdsAsync();
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "multi", "id INT");
        await Servers.WaitForReplicaReadAsync(connection, ids);

        List<long> reads = await ServerIdsOfAllResultsAsync(connection, "SELECT @@server_id; SELECT @@server_id; SELECT @@server_id");
        Assert.Equal(3, reads.Count);
        Assert.Single(reads.Distinct());
        Assert.True(ids.IsReplica(reads[0]), $"all-read multi-statement ran on {ids.Name(reads[0])}");

        List<long> mixed = await ServerIdsOfAllResultsAsync(connection, $"SELECT @@server_id; INSERT INTO {table} VALUES (1); SELECT @@server_id");
        Assert.Equal(new[] { ids.Primary, ids.Primary }, mixed);
    }

    private static async Task<List<long>> ServerIdsOfAllResultsAsync(MySqlConnection connection, string sql)
    {
        var ids = new List<long>();
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        do
        {
            while (await reader.ReadAsync(Ct))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        while (await reader.NextResultAsync(Ct));

        return ids;
    }
}
