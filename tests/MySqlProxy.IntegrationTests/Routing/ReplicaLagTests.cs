using System.Diagnostics;
using System.Globalization;
using System.Net;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Routing;

/// <summary>Tests that hold back a replica (its SQL thread stopped, or a table locked on it): nothing else may run meanwhile.</summary>
[CollectionDefinition(nameof(ReplicationCollection), DisableParallelization = true)]
public sealed class ReplicationCollection;

/// <summary>
/// Read-your-writes and monotonic reads against a replica that is really behind. Each test holds back the last
/// replica of the topology and always lets it go again (and waits until it has caught up) before it ends.
/// </summary>
[Collection(nameof(ReplicationCollection))]
public sealed class ReplicaLagTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IPEndPoint Held => Topology.Replicas[^1];

    [Fact(Timeout = 90_000)]
    public async Task ReadYourWrites_ReplicaSqlThreadStopped_EveryReadSeesItsOwnWrite()
    {
        const int Iterations = 1_000;
        ServerIds ids = await Servers.IdsAsync();
        long held = ids.Replicas[^1];
        await using ProxyInstance proxy = await ProxyInstance.StartAsync();
        await using MySqlConnection session = await Servers.OpenAsync(proxy);
        await using OwnedTable table = await Servers.CreateTableAsync(session, "rywstop", "v INT NOT NULL PRIMARY KEY");
        await WaitReplicatedEverywhereAsync(table);

        // No AUTO_INCREMENT: an insert id would pin the next statement to the primary (LAST_INSERT_ID() must work),
        // and every read would run there.
        await using MySqlConnection replicaAdmin = await Db.OpenAsync(DirectTo(Held, "admin"), Ct);
        await Db.ExecuteAsync(replicaAdmin, "STOP SLAVE SQL_THREAD", Ct);
        try
        {
            // Meanwhile other sessions, which never write, keep reading.
            using var stop = new CancellationTokenSource();
            Task<Dictionary<long, int>> others = ReadInOtherSessionsAsync(proxy, stop.Token);

            var where = new Dictionary<long, int>();
            int sawOwnWrite = 0;
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < Iterations; i++)
            {
                await Db.ExecuteAsync(session, $"INSERT INTO {table} VALUES ({i})", Ct);
                if (i % 50 == 49)
                {
                    // Now and then give the monitor time to see the write on the running replica, so that some reads go there.
                    await Task.Delay(400, Ct);
                }

                await using var command = new MySqlCommand($"SELECT COUNT(*), @@server_id FROM {table} WHERE v = {i}", session);
                await using var reader = await command.ExecuteReaderAsync(Ct);
                Assert.True(await reader.ReadAsync(Ct));
                sawOwnWrite += reader.GetInt64(0) == 1 ? 1 : 0;
                where[reader.GetInt64(1)] = where.GetValueOrDefault(reader.GetInt64(1)) + 1;
            }

            TimeSpan elapsed = clock.Elapsed;
            await stop.CancelAsync();
            Dictionary<long, int> otherReads = await others;

            string summary = $"session reads: {Describe(ids, where)}; other sessions: {Describe(ids, otherReads)}; {elapsed.TotalSeconds:F1} s";
            TestContext.Current.TestOutputHelper?.WriteLine(summary);
            Assert.True(sawOwnWrite == Iterations, $"{Iterations - sawOwnWrite} of {Iterations} reads missed the session's own write ({summary})");
            Assert.True(where.GetValueOrDefault(held) == 0, $"reads went to the stopped replica ({summary})");
            Assert.True(where.Keys.Any(ids.IsReplica), $"no read of the session reached the running replica ({summary})");
            Assert.True(otherReads.Keys.Any(ids.IsReplica), $"reads of other sessions never reached a replica ({summary})");

            // The replica really was behind all along.
            await using MySqlConnection replica = await Db.OpenAsync(DirectTo(Held, "app"), Ct);
            Assert.Equal(0L, Convert.ToInt64(await Db.ScalarAsync(replica, $"SELECT COUNT(*) FROM {table}", Ct), CultureInfo.InvariantCulture));
        }
        finally
        {
            await ReleaseAsync(replicaAdmin, "START SLAVE SQL_THREAD");
        }
    }

    /// <summary>
    /// A session reads a row that one replica has and the other cannot have yet (the table is locked there, so
    /// its SQL thread waits): from then on every read of that session must still see the row. Repeated, because
    /// the time between the replica applying a write and the monitor's next check of it varies.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task MonotonicReads_OtherReplicaHeldBehind_NeverReadsBackInTime()
    {
        const int Trials = 8;
        ServerIds ids = await Servers.IdsAsync();
        await using ProxyInstance proxy = await ProxyInstance.StartAsync();
        await using MySqlConnection writer = await Servers.OpenAsync(proxy);
        await using OwnedTable table = await Servers.CreateTableAsync(writer, "mono", "v INT NOT NULL");
        await WaitReplicatedEverywhereAsync(table);
        await Task.Delay(1000, Ct);

        var failures = new List<string>();
        for (int trial = 0; trial < Trials; trial++)
        {
            await using MySqlConnection locker = await Db.OpenAsync(DirectTo(Held, "admin"), Ct);
            await Db.ExecuteAsync(locker, $"LOCK TABLES {table} READ", Ct);
            try
            {
                await Db.ExecuteAsync(writer, $"INSERT INTO {table} VALUES ({trial})", Ct);

                await using MySqlConnection reader = await Servers.OpenAsync(proxy);
                var history = new List<(long Count, long Server)>();
                int afterFirstSighting = 0;
                var clock = Stopwatch.StartNew();
                while (afterFirstSighting < 40 && clock.Elapsed < TimeSpan.FromSeconds(5))
                {
                    await using var command = new MySqlCommand($"SELECT COUNT(*), @@server_id FROM {table} WHERE v = {trial}", reader);
                    await using var rows = await command.ExecuteReaderAsync(Ct);
                    Assert.True(await rows.ReadAsync(Ct));
                    history.Add((rows.GetInt64(0), rows.GetInt64(1)));
                    afterFirstSighting += history.Any(h => h.Count == 1) ? 1 : 0;
                }

                int first = history.FindIndex(h => h.Count == 1);
                if (first >= 0 && history.Skip(first).Any(h => h.Count == 0))
                {
                    failures.Add($"trial {trial}: " + string.Join(" ", history.Select(h => $"{ids.Name(h.Server)}:{h.Count}")));
                }
            }
            finally
            {
                await ReleaseAsync(locker, "UNLOCK TABLES");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Trials} trials read back in time:\n" + string.Join("\n", failures));
    }

    /// <summary>Fresh sessions that only read, until stopped; where their reads ran.</summary>
    private static async Task<Dictionary<long, int>> ReadInOtherSessionsAsync(ProxyInstance proxy, CancellationToken stop)
    {
        var where = new Dictionary<long, int>();
        while (!stop.IsCancellationRequested)
        {
            await using MySqlConnection connection = await Servers.OpenAsync(proxy);
            for (int i = 0; i < 5 && !stop.IsCancellationRequested; i++)
            {
                long id = await Servers.ServerIdAsync(connection);
                where[id] = where.GetValueOrDefault(id) + 1;
            }

            await Task.Delay(10, CancellationToken.None);
        }

        return where;
    }

    /// <summary>Undoes the hold on the replica and waits until it has everything the primary has, whatever the test's token says.</summary>
    private static async Task ReleaseAsync(MySqlConnection replicaAdmin, string sql)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Db.ExecuteAsync(replicaAdmin, sql, timeout.Token);
        await using MySqlConnection primary = await Db.OpenAsync(Topology.Direct("admin", "admin"), timeout.Token);
        string target = (string)(await Db.ScalarAsync(primary, "SELECT @@gtid_binlog_pos", timeout.Token))!;
        await Db.ScalarAsync(replicaAdmin, $"SELECT MASTER_GTID_WAIT('{target}', 30)", timeout.Token);
    }

    /// <summary>Waits until every replica has the table (DDL replicates like any other write).</summary>
    private static async Task WaitReplicatedEverywhereAsync(OwnedTable table)
    {
        foreach (IPEndPoint replica in Topology.Replicas)
        {
            await using MySqlConnection connection = await Db.OpenAsync(DirectTo(replica, "app"), Ct);
            var clock = Stopwatch.StartNew();
            while (Convert.ToInt64(await Db.ScalarAsync(connection,
                $"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'app' AND table_name = '{table.Name}'", Ct), CultureInfo.InvariantCulture) == 0)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{table} not on {replica} after 20 s");
                await Task.Delay(20, Ct);
            }
        }
    }

    private static string DirectTo(IPEndPoint server, string user) =>
        $"Server={server.Address};Port={server.Port};User ID={user};Password={user};Database=app;Pooling=false;AllowUserVariables=true";

    private static string Describe(ServerIds ids, Dictionary<long, int> where) =>
        where.Count == 0 ? "none" : string.Join(", ", where.OrderBy(p => p.Key).Select(p => $"{ids.Name(p.Key)}={p.Value}"));
}
