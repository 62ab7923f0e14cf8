using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MySqlConnector;
using MySqlProxy.Cli;
using MySqlProxy.Core.Configuration;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.IntegrationTests.Lag;

namespace MySqlProxy.IntegrationTests.Replicas;

/// <summary>
/// Issue 9: an empty fourth server becomes a replica through <c>POST /api/replicas</c> under a steady write load
/// through the proxy; bad targets are refused without changing anything. One class, so the tests never share the
/// extra server's port at the same time.
/// </summary>
public sealed class ReplicaSetupTests
{
    private static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>
    /// Logical seed while two sessions write and four read through the proxy: the job succeeds, replication runs
    /// with GTID, CHECKSUM TABLE matches the primary at a common GTID, the new server's reads were never staler than
    /// max_replica_lag (it got none while catching up), it does get reads afterwards, no client saw an error, and the
    /// replica is kept in proxy.runtime.json.
    /// </summary>
    [Fact(Timeout = 180_000)]
    public async Task SetUpUnderWriteLoad_Replicates_SameChecksums_ReadsOnlyOnceCaughtUp_NoClientErrors()
    {
        await using EmptyServer target = await EmptyServer.StartAsync(Ct);
        await using TestTable seed = await TestTable.CreateAsync("rseed", "id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64), b VARBINARY(32), d DATETIME(6), n DECIMAL(12,3), f BIT(3)", Ct);
        await Db.AdminAsync($"INSERT INTO app.`{seed}` (v, b, d, n, f) SELECT CONCAT('v', seq), UNHEX(MD5(seq)), NOW(6) - INTERVAL seq SECOND, seq / 7, seq % 8 FROM seq_1_to_30000", Ct);
        await using TestTable writes = await TestTable.CreateAsync("rwrite", "id BIGINT AUTO_INCREMENT PRIMARY KEY, ts BIGINT NOT NULL", Ct);
        await using ReplicaProxy proxy = await ReplicaProxy.StartAsync(o => o.Routing.MaxReplicaLag = Duration.FromSeconds(MaxLag.TotalSeconds));

        var clock = Stopwatch.StartNew();
        var committed = new ConcurrentDictionary<long, TimeSpan>();
        var reads = new ConcurrentBag<(TimeSpan At, int Port, long MaxId)>();
        var errors = new ConcurrentBag<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        async Task WriteAsync()
        {
            await using MySqlConnection session = await Db.OpenAsync(proxy.ConnectionString(), Ct);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await using var insert = new MySqlCommand($"INSERT INTO `{writes}` (ts) VALUES (1)", session);
                    await insert.ExecuteNonQueryAsync(stop.Token);
                    committed[insert.LastInsertedId] = clock.Elapsed;
                    await Task.Delay(5, stop.Token);
                }
                catch (MySqlException ex)
                {
                    errors.Add($"write: {ex.Message}");
                }
            }
        }

        // Short sessions: monotonic reads keep a long one on the replicas that have what it read last, and under a
        // steady write load only the one it is on is known to have it, so a long session would never move over.
        async Task ReadAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await using MySqlConnection session = await Db.OpenAsync(proxy.ConnectionString(), stop.Token);
                    TimeSpan at = clock.Elapsed;
                    await using var read = new MySqlCommand($"SELECT @@port, (SELECT COALESCE(MAX(id), 0) FROM `{writes}`)", session);
                    await using MySqlDataReader row = await read.ExecuteReaderAsync(stop.Token);
                    await row.ReadAsync(stop.Token);
                    reads.Add((at, row.GetInt32(0), row.GetInt64(1)));
                    await Task.Delay(5, stop.Token);
                }
                catch (MySqlException ex)
                {
                    errors.Add($"read: {ex.Message}");
                }
            }
        }

        Task[] load = [WriteAsync(), WriteAsync(), ReadAsync(), ReadAsync(), ReadAsync(), ReadAsync()];
        try
        {
            await Task.Delay(500, Ct);
            TimeSpan started = clock.Elapsed;
            JsonElement job = await proxy.SetUpAsync(
                $$"""{"name": "db4", "host": "127.0.0.1", "port": {{target.Port}}, "weight": 300}""", TimeSpan.FromSeconds(120), Ct);
            TimeSpan ended = clock.Elapsed;
            Assert.True(job.GetProperty("state").GetString() == "succeeded", $"the set-up failed: {job}");
            JsonElement result = job.GetProperty("result");
            Assert.Equal("logical", result.GetProperty("seed").GetString());
            Report($"set-up took {(ended - started).TotalSeconds:F1} s: {result}");

            // Reads go on for a while after the set-up, so the new server serves some.
            await Task.Delay(3000, Ct);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await Task.WhenAll(load);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        Assert.True(errors.IsEmpty, $"{errors.Count} client error(s), first: {errors.FirstOrDefault()}");

        IReadOnlyDictionary<string, object?>? status = await Replication.StatusAsync(target.EndPoint, Ct);
        Assert.True(Replication.Running(status), "replication does not run on the new server");
        Assert.Equal("Slave_Pos", Replication.Text(status!, "Using_Gtid"));

        // A common GTID: the load has stopped; then the same checksums on both.
        string position = await Replication.PrimaryPositionAsync(Ct);
        Assert.True(await Replication.WaitForPositionAsync(target.EndPoint, position, TimeSpan.FromSeconds(30), Ct), $"the new server did not reach {position}");
        string checksums = $"CHECKSUM TABLE app.`{seed}`, app.`{writes}` EXTENDED";
        Assert.Equal(await ChecksumsAsync(Topology.Primary, checksums), await ChecksumsAsync(target.EndPoint, checksums));

        // Its reads: some, and none staler than max_replica_lag (plus one monitor interval and the smoothing).
        var mine = reads.Where(r => r.Port == target.Port).OrderBy(r => r.At).ToList();
        Assert.True(mine.Count > 0, $"the new server got none of {reads.Count} reads ({string.Join(", ", reads.GroupBy(r => r.Port).Select(g => $"{g.Key}={g.Count()}"))})");
        long[] ids = [.. committed.Keys.Order()];
        TimeSpan worst = TimeSpan.Zero;
        foreach ((TimeSpan at, _, long maxId) in mine)
        {
            // The first write it had not applied, committed before the read began: it was at least this far behind.
            int next = Array.BinarySearch(ids, maxId + 1);
            next = next < 0 ? ~next : next;
            if (next < ids.Length && committed[ids[next]] < at && at - committed[ids[next]] > worst)
            {
                worst = at - committed[ids[next]];
            }
        }

        Report("reads by port: " + string.Join(", ", reads.GroupBy(r => r.Port).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}")));
        Report($"{reads.Count} reads, {mine.Count} on the new server (first at {mine[0].At.TotalSeconds:F1} s), stalest {worst.TotalMilliseconds:F0} ms");
        Assert.True(worst <= MaxLag + TimeSpan.FromMilliseconds(750), $"a read on the new server was {worst.TotalMilliseconds:F0} ms behind (max_replica_lag {MaxLag.TotalMilliseconds} ms)");

        JsonElement backend = await proxy.GetAsync("/api/backends/db4", Ct);
        Assert.False(backend.GetProperty("catching_up").GetBoolean());
        string saved = await File.ReadAllTextAsync(proxy.RuntimeStatePath, Ct);
        Assert.Contains("\"db4\"", saved, StringComparison.Ordinal);
        Assert.Contains(target.Port.ToString(CultureInfo.InvariantCulture), saved, StringComparison.Ordinal);
    }

    /// <summary>
    /// A target holding a table, and a target nobody listens on, are refused at step 'check target' with an error that
    /// says why; the target keeps its table and no replication, the proxy gets no backend, nothing is saved. The
    /// request's own mistakes are 400/409/501 naming the field, and the command line reports a failed job with exit 1.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task NonEmptyOrUnreachableTarget_RefusedAtCheckTarget_NothingChanged()
    {
        await using EmptyServer target = await EmptyServer.StartAsync(Ct);
        await Replication.ExecOnAsync(target.EndPoint, "SET SESSION sql_log_bin = 0; CREATE TABLE app.keep_me (id INT PRIMARY KEY); INSERT INTO app.keep_me VALUES (42)", Ct);
        await using ReplicaProxy proxy = await ReplicaProxy.StartAsync();

        JsonElement job = await proxy.SetUpAsync($$"""{"name": "db9", "host": "127.0.0.1", "port": {{target.Port}}}""", TimeSpan.FromSeconds(60), Ct);
        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Equal("check target", job.GetProperty("failed_step").GetString());
        string error = job.GetProperty("error").GetString()!;
        Assert.Contains("not empty", error, StringComparison.Ordinal);
        Assert.Contains("app.keep_me", error, StringComparison.Ordinal);
        Assert.Null(await Replication.StatusAsync(target.EndPoint, Ct));
        await using (MySqlConnection connection = await Db.OpenAsync(Replication.AdminOn(target.EndPoint), Ct))
        {
            Assert.Equal(42, Convert.ToInt32(await Db.ScalarAsync(connection, "SELECT id FROM app.keep_me", Ct), CultureInfo.InvariantCulture));
            Assert.Equal(string.Empty, (string?)await Db.ScalarAsync(connection, "SELECT @@gtid_slave_pos", Ct));
            Assert.Equal(1L, Convert.ToInt64(await Db.ScalarAsync(connection, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema')", Ct), CultureInfo.InvariantCulture));
        }

        int nobody = EmptyServer.FreePort();
        job = await proxy.SetUpAsync($$"""{"name": "db9", "host": "127.0.0.1", "port": {{nobody}}}""", TimeSpan.FromSeconds(60), Ct);
        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Equal("check target", job.GetProperty("failed_step").GetString());
        Assert.Contains("unreachable", job.GetProperty("error").GetString(), StringComparison.Ordinal);

        var output = new StringWriter();
        var errorOutput = new StringWriter();
        int exit = await ReplicaCommand.RunAsync(
            ["add", "--admin-url", proxy.Admin.BaseAddress!.ToString(), "--token", ReplicaProxy.Token, "--name", "db9", "--host", "127.0.0.1", "--port", nobody.ToString(CultureInfo.InvariantCulture)],
            output, errorOutput);
        Assert.True(exit == ReplicaCommand.JobFailed, $"exit {exit}: {output}{errorOutput}");
        Assert.Contains("failed at step 'check target'", output.ToString(), StringComparison.Ordinal);

        (int status, JsonElement body) = await proxy.PostReplicaAsync("""{"name": "x", "host": "127.0.0.1", "port": 1, "seed": "physical"}""", Ct);
        Assert.Equal(400, status);
        Assert.True(body.GetProperty("errors").TryGetProperty("datadir", out _), body.ToString());
        Assert.True(body.GetProperty("errors").TryGetProperty("defaults_file", out _), body.ToString());
        (status, body) = await proxy.PostReplicaAsync("""{"name": "db2", "host": "127.0.0.1", "port": 1}""", Ct);
        Assert.Equal(409, status);
        (status, _) = await proxy.PostReplicaAsync("""{"name": "x", "host": "127.0.0.1", "port": 1, "agent": "http://db:7000"}""", Ct);
        Assert.Equal(501, status);

        JsonElement backends = await proxy.GetAsync("/api/backends", Ct);
        Assert.DoesNotContain(backends.EnumerateArray(), b => b.GetProperty("name").GetString() == "db9");
        Assert.False(File.Exists(proxy.RuntimeStatePath), "nothing should have been saved");
    }

    private static async Task<string> ChecksumsAsync(System.Net.IPEndPoint server, string sql)
    {
        await using MySqlConnection connection = await Db.OpenAsync(Replication.AdminOn(server), Ct);
        return string.Join("; ", await Db.QueryAsync(connection, sql, prepare: false, Ct));
    }
}
