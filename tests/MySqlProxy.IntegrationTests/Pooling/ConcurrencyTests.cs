using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MySqlConnector;
using MySqlProxy.Core.Backends;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Pooling;

/// <summary>
/// Many clients on few backend connections: 2,000 concurrent clients running mixed statements through at
/// most 32 connections, and many clients preparing statements without exhausting max_prepared_stmt_count.
/// </summary>
[Collection(nameof(ServerWideCollection))]
public sealed class ConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>Largest values seen while sampling the proxy and the primary in the background.</summary>
    private sealed class Sampler : IAsyncDisposable
    {
        // Never disposed: the loop may still observe it while it stops.
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        /// <summary>
        /// Samples the pool's counters and <paramref name="serverQuery"/> on the primary every few milliseconds:
        /// its first row gives the maxima of its columns, its first column over all rows the distinct ids seen.
        /// </summary>
        public Sampler(BackendPool pool, string serverQuery)
        {
            _loop = Task.Run(async () =>
            {
                await using MySqlConnection admin = await Db.OpenAsync(Topology.Direct("admin", "admin"), _stop.Token);
                while (!_stop.IsCancellationRequested)
                {
                    MaxOpen = Math.Max(MaxOpen, pool.Open);
                    MaxInUse = Math.Max(MaxInUse, pool.InUse);
                    await using (var command = new MySqlCommand(serverQuery, admin))
                    await using (MySqlDataReader reader = await command.ExecuteReaderAsync(_stop.Token))
                    {
                        bool first = true;
                        while (await reader.ReadAsync(_stop.Token))
                        {
                            for (int i = 0; first && i < reader.FieldCount; i++)
                            {
                                long value = Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);
                                MaxServer[i] = Math.Max(MaxServer.GetValueOrDefault(i), value);
                            }

                            Distinct.Add(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture));
                            first = false;
                        }
                    }

                    MaxOpen = Math.Max(MaxOpen, pool.Open);
                    Samples++;
                    await Task.Delay(20, _stop.Token);
                }
            });
        }

        public int MaxOpen { get; private set; }

        public int MaxInUse { get; private set; }

        /// <summary>Largest value of each column of the server query's first row.</summary>
        public Dictionary<int, long> MaxServer { get; } = [];

        /// <summary>Every value the first column of the server query took.</summary>
        public HashSet<long> Distinct { get; } = [];

        public int Samples { get; private set; }

        /// <summary>Stops sampling; the maxima are stable afterwards. Idempotent.</summary>
        public async ValueTask DisposeAsync()
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

        }
    }

    [Fact(Timeout = 120_000)]
    public async Task TwoThousandClients_MixedStatements_AtMost32BackendConnections()
    {
        const int clients = 2000;
        const int maxBackend = 32;
        const int rounds = 3;
        await using TestTable table = await TestTable.CreateAsync("mux",
            "id BIGINT AUTO_INCREMENT PRIMARY KEY, client INT NOT NULL, n INT NOT NULL, KEY (client)", Ct);
        await using ProxyInstance proxy = await Pooled.StartAsync(maxBackend, borrowTimeoutSeconds: 30,
            configure: o => o.Sessions.MaxConnections = clients + 100);
        BackendPool pool = proxy.Listener.Context.PrimaryPool;
        string marker = $"mux_{Guid.NewGuid():N}";


        var clock = Stopwatch.StartNew();
        var connections = new MySqlConnection[clients];
        var errors = new ConcurrentQueue<string>();
        var opened = TimeSpan.Zero;
        var ran = TimeSpan.Zero;
        // On the primary, the connections running a statement of this run (they carry the marker; other app
        // connections may belong to anyone): each row one of them, with how many there are at that moment.
        await using (var sampler = new Sampler(pool,
            $"SELECT ID, COUNT(*) OVER () FROM information_schema.PROCESSLIST WHERE INFO LIKE '%{marker}%' AND INFO NOT LIKE '%PROCESSLIST%'"))
        {
            try
            {
                // All 2,000 open at once (the opening itself bounded to keep the accept queue sane).
                using (var opening = new SemaphoreSlim(64))
                {
                    await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
                    {
                        await opening.WaitAsync(Ct);
                        try
                        {
                            connections[i] = await Db.OpenAsync(proxy.ConnectionString(), Ct);
                        }
                        finally
                        {
                            opening.Release();
                        }
                    }));
                }

                opened = clock.Elapsed;
                Assert.Equal(clients, proxy.Listener.Context.Sessions.Count);

                // Then every client runs its mix at the same time.
                var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Task[] work = [.. Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
                {
                    await start.Task;
                    try
                    {
                        await RunClientAsync(connections[i], i, table.Name, marker, rounds);
                    }
                    catch (Exception ex)
                    {
                        errors.Enqueue($"client {i}: {ex.GetType().Name}: {ex.Message}");
                    }
                }, Ct))];
                start.SetResult();
                await Task.WhenAll(work);
                ran = clock.Elapsed - opened;
            }
            finally
            {
                foreach (MySqlConnection? connection in connections)
                {
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                    }
                }
            }

            await sampler.DisposeAsync();
            Report($"{clients} clients: opened in {opened.TotalSeconds:F1} s, ran {clients * (rounds * 8 + 1)} statements in {ran.TotalSeconds:F1} s, " +
                $"total {clock.Elapsed.TotalSeconds:F1} s");
            Report($"backend connections: pool open max {sampler.MaxOpen}, in use max {sampler.MaxInUse}; on the primary: statements of the run " +
                $"running at once max {sampler.MaxServer.GetValueOrDefault(1)}, on {sampler.Distinct.Count} distinct connections over the run; " +
                $"{sampler.Samples} samples; borrow waits {pool.Waits.Count} totalling {pool.Waits.Total.TotalSeconds:F1} s");

            Assert.True(errors.IsEmpty, $"{errors.Count} clients failed, e.g. {string.Join(" / ", errors.Take(5))}");
            Assert.True(sampler.Samples > 5, "the sampler did not run");
            Assert.InRange(sampler.MaxOpen, 1, maxBackend);
            Assert.InRange(pool.Open, 0, maxBackend);
            Assert.InRange(sampler.MaxServer.GetValueOrDefault(1), 1, maxBackend);
            Assert.InRange(sampler.Distinct.Count, 1, maxBackend);
        }

        // Every write of every client landed, once.
        await using (MySqlConnection direct = await Db.OpenAsync(Topology.Direct(), Ct))
        {
            Assert.Equal(clients * rounds * 2L, await Pooled.LongAsync(direct, $"SELECT COUNT(*) FROM `{table}`"));
            Assert.Equal(clients, await Pooled.LongAsync(direct, $"SELECT COUNT(DISTINCT client) FROM `{table}`"));
        }
    }

    /// <summary>
    /// One client's mix, each statement checked: a write, a read of its own rows, a SET of its own time zone
    /// and sql_mode read back, and a small transaction; the statements carry the marker for the processlist.
    /// </summary>
    private static async Task RunClientAsync(MySqlConnection connection, int client, string table, string marker, int rounds)
    {
        string timeZone = string.Create(CultureInfo.InvariantCulture, $"+{client % 13:00}:{client % 4 * 15:00}");
        bool pipes = client % 2 == 0;
        for (int round = 0; round < rounds; round++)
        {
            await Db.ExecuteAsync(connection, $"INSERT INTO `{table}` (client, n) VALUES ({client}, {round}) /* {marker} */", Ct);
            long mine = await Pooled.LongAsync(connection, $"SELECT COUNT(*) FROM `{table}` WHERE client = {client} /* {marker} */");
            if (mine != (round * 2) + 1)
            {
                throw new InvalidOperationException($"round {round}: {mine} rows of its own");
            }

            await Db.ExecuteAsync(connection, $"SET time_zone = '{timeZone}', sql_mode = '{(pipes ? "PIPES_AS_CONCAT" : "ANSI_QUOTES")}' /* {marker} */", Ct);
            string? state = await Pooled.TextAsync(connection, $"SELECT CONCAT(@@time_zone, '/', 'a' || 'b') /* {marker} */");
            string expected = $"{timeZone}/{(pipes ? "ab" : "0")}";
            if (state != expected)
            {
                throw new InvalidOperationException($"round {round}: session state {state}, expected {expected}");
            }

            await Db.ExecuteAsync(connection, $"BEGIN /* {marker} */", Ct);
            await Db.ExecuteAsync(connection, $"INSERT INTO `{table}` (client, n) VALUES ({client}, {100 + round}) /* {marker} */", Ct);
            int updated = await Db.ExecuteAsync(connection, $"UPDATE `{table}` SET n = n + 1000 WHERE client = {client} AND n = {100 + round} /* {marker} */", Ct);
            await Db.ExecuteAsync(connection, $"COMMIT /* {marker} */", Ct);
            if (updated != 1)
            {
                throw new InvalidOperationException($"round {round}: the transaction updated {updated} rows");
            }
        }

        long sum = await Pooled.LongAsync(connection, $"SELECT SUM(n) FROM `{table}` WHERE client = {client} /* {marker} */");
        long expectedSum = 0;
        for (int round = 0; round < rounds; round++)
        {
            expectedSum += round + 1100 + round;
        }

        if (sum != expectedSum)
        {
            throw new InvalidOperationException($"sum of its rows {sum}, expected {expectedSum}");
        }
    }

    /// <summary>
    /// How many statements each of the proxy's backend connections holds, by the server's own per-connection
    /// counters (prepared minus closed), which no other user of the server can disturb: clients in transactions
    /// hold every connection, one each, and ask.
    /// </summary>
    private static async Task<List<long>> StatementsHeldPerConnectionAsync(ProxyInstance proxy, int connections)
    {
        var holders = new List<MySqlConnection>();
        try
        {
            var held = new List<long>();
            for (int i = 0; i < connections; i++)
            {
                MySqlConnection holder = await Db.OpenAsync(proxy.ConnectionString(), Ct);
                holders.Add(holder);
                await Pooled.ExecAsync(holder, "BEGIN");
            }

            foreach (MySqlConnection holder in holders)
            {
                held.Add(await Pooled.LongAsync(holder,
                    "SELECT SUM(IF(VARIABLE_NAME = 'COM_STMT_PREPARE', 1, -1) * VARIABLE_VALUE) FROM information_schema.SESSION_STATUS " +
                    "WHERE VARIABLE_NAME IN ('COM_STMT_PREPARE', 'COM_STMT_CLOSE')"));
            }

            // Back to the pool with their statements (a session that leaves in a transaction takes its connection along).
            foreach (MySqlConnection holder in holders)
            {
                await Pooled.ExecAsync(holder, "COMMIT");
            }

            return held;
        }
        finally
        {
            foreach (MySqlConnection holder in holders)
            {
                await holder.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task FiftyClientsPreparingTwentyEach_PreparedStmtCountBoundedByPool()
    {
        const int clients = 50;
        const int statementsPerClient = 20;
        const int maxBackend = 4;
        const int limit = 16;
        ProxyInstance proxy = await Pooled.StartAsync(maxBackend, borrowTimeoutSeconds: 30,
            configure: o => o.Pool.MaxPreparedPerConnection = limit);
        BackendPool pool = proxy.Listener.Context.PrimaryPool;
        const string count = "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'PREPARED_STMT_COUNT'";
        long before;
        await using (MySqlConnection admin = await Db.OpenAsync(Topology.Direct("admin", "admin"), Ct))
        {
            before = await Pooled.LongAsync(admin, count);
        }

        try
        {
            await using var sampler = new Sampler(pool, count);
            await Parallel.ForAsync(0, clients, new ParallelOptions { MaxDegreeOfParallelism = clients, CancellationToken = Ct }, async (client, ct) =>
            {
                await using MySqlConnection connection = await Db.OpenAsync(proxy.ConnectionString(extra: Db.Prepared), ct);
                var commands = new List<MySqlCommand>();
                try
                {
                    for (int i = 0; i < statementsPerClient; i++)
                    {
                        var command = new MySqlCommand($"SELECT @x + {(client * 100) + i}", connection);
                        command.Parameters.AddWithValue("@x", 0);
                        await command.PrepareAsync(ct);
                        commands.Add(command);
                    }

                    for (int round = 1; round <= 2; round++)
                    {
                        for (int i = 0; i < commands.Count; i++)
                        {
                            commands[i].Parameters[0].Value = round;
                            long value = Convert.ToInt64(await commands[i].ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
                            Assert.Equal((client * 100) + i + round, value);
                        }
                    }
                }
                finally
                {
                    foreach (MySqlCommand command in commands)
                    {
                        await command.DisposeAsync();
                    }
                }
            });

            await Task.Delay(100, Ct);
            await sampler.DisposeAsync();
            long grown = sampler.MaxServer.GetValueOrDefault(0) - before;
            List<long> held = await StatementsHeldPerConnectionAsync(proxy, maxBackend);
            Report($"{clients} clients x {statementsPerClient} statements: Prepared_stmt_count before {before}, max during +{grown} " +
                $"(bound {maxBackend} x {limit} = {maxBackend * limit}); pool open max {sampler.MaxOpen}; " +
                $"most statements on one connection {pool.MostStatementsOnOneConnection()}; held per connection (server's own count) {string.Join(", ", held)}");
            Assert.All(held, n => Assert.InRange(n, 0, limit));
            Assert.InRange(sampler.MaxOpen, 1, maxBackend);

            // Server-wide: exact when this test runs alone on the server (as the collection makes it within a run);
            // another process preparing statements on the same server meanwhile would add to it.
            Assert.InRange(grown, 1, maxBackend * limit);
            Assert.InRange(pool.MostStatementsOnOneConnection(), 1, limit);
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        // Closing the pool closed its connections, and with them their statements on the server.
        await using (MySqlConnection admin = await Db.OpenAsync(Topology.Direct("admin", "admin"), Ct))
        {
            var clock = Stopwatch.StartNew();
            while (await Pooled.LongAsync(admin, count) > before)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the proxy's statements outlived it on the server");
                await Task.Delay(50, Ct);
            }
        }
    }
}
