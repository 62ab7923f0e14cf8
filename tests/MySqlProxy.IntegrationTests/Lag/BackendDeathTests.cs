using System.Diagnostics;
using System.Globalization;
using System.Net;
using MySqlConnector;
using MySqlProxy.Core.Backends;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Lag;

/// <summary>A server dies under load (SIGKILL): clients see at most a short burst of errors, then the proxy routes around it.</summary>
[Collection(LagCollection.Name)]
public sealed class BackendDeathTests
{
    /// <summary>An extra, empty server (topology.sh add-empty) that stands in for a primary the test may kill.</summary>
    private const int ExtraPort = 13309;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IPEndPoint Victim => Topology.Replicas[^1];

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>
    /// SIGKILL of the last replica while 6 sessions read as fast as they can: reads that start more than 1 s after
    /// the kill all succeed (on the other replica), and after it is started again the replica gets reads again within a few
    /// seconds.
    /// </summary>
    [Fact(Timeout = 150_000)]
    public async Task ReplicaKilledDuringReadLoad_NoFailedNewReadsAfter1s_RejoinsAfterRestart()
    {
        await Replication.RestoreAsync();
        ReadSplit ids = await ReadSplit.LoadAsync(Ct);
        long victim = ids.IdOf(Victim);
        await using ProxyInstance proxy = await LagProxy.StartAsync();
        BackendPool pool = proxy.Listener.Context.ReplicaPools[^1];
        await using ReadLoad load = ReadLoad.Start(proxy.ConnectionString(), 6, Ct);
        await load.ExpectReadOnAsync(victim, ids, Ct);

        TimeSpan killed, restarting, restarted;
        TimeSpan? markedDown = null, back;
        try
        {
            killed = ReadLoad.Now;
            await Replication.KillServerAsync(Victim, () => killed = ReadLoad.Now); // reads that began before the signal may finish there
            while (ReadLoad.Now < killed + TimeSpan.FromSeconds(3))
            {
                if (markedDown is null && !pool.Health.IsUp)
                {
                    markedDown = ReadLoad.Now;
                }

                await Task.Delay(5, Ct);
            }

            restarting = ReadLoad.Now;
            await Replication.RestartServerAsync(Victim, Ct);
            restarted = ReadLoad.Now;

            // The server may serve reads before the script returns (it waits for replication and checks it).
            back = await load.WaitForReadOnAsync(victim, restarting, TimeSpan.FromSeconds(10) + (restarted - restarting), Ct);
        }
        finally
        {
            await Replication.RestoreAsync();
        }

        List<ReadSample> reads = await load.StopAsync();
        List<ReadSample> afterKill = [.. reads.Where(r => r.Start >= killed && r.Start < restarting)];
        List<ReadSample> failed = [.. afterKill.Where(r => r.Failed)];
        List<ReadSample> lateFailures = [.. failed.Where(r => r.Start >= killed + TimeSpan.FromSeconds(1))];
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"marked down {(markedDown - killed)?.TotalMilliseconds:F0} ms after SIGKILL; {failed.Count} failed reads after the kill " +
            $"(last started {(failed.Count == 0 ? 0 : (failed.Max(r => r.Start) - killed).TotalMilliseconds):F0} ms after it), {lateFailures.Count} started later than 1 s; " +
            $"the restart took {(restarted - restarting).TotalSeconds:F1} s, first read there again {(back - restarting)?.TotalMilliseconds:F0} ms after it started " +
            $"({(back - restarted)?.TotalMilliseconds:F0} ms after it returned); " +
            $"reads between the kill and the restart: {ids.Describe(afterKill)}");
        Report(summary);
        foreach (ReadSample failure in failed.Take(10))
        {
            Report(string.Create(CultureInfo.InvariantCulture, $"  failed read started {(failure.Start - killed).TotalMilliseconds:F0} ms after the kill: {failure.Error}"));
        }

        Assert.Empty(lateFailures);
        Assert.DoesNotContain(afterKill, r => r.ServerId == victim);
        Assert.Contains(afterKill, r => r.Start >= killed + TimeSpan.FromSeconds(1) && ids.Replicas.Contains(r.ServerId));
        Assert.NotNull(markedDown);
        Assert.NotNull(back);
        Assert.True(back.Value - restarted <= TimeSpan.FromSeconds(5), summary);
    }

    /// <summary>
    /// Once the primary is killed, writes get a clear ERR (naming the backend) in well under 2 s, in a session that
    /// already wrote and in new ones, before and after the monitor marks it down; sessions that only read go on
    /// reading on the replicas, and so does the session whose writes failed.
    /// </summary>
    [Fact(Timeout = 150_000)]
    public Task PrimaryKilled_WritesFailFastWithClearError_ReadsContinueInOpenSessions() =>
        WithPrimaryKilledAsync(async (proxy, writer, load, killed, ids) =>
        {
            var writes = new List<(string When, TimeSpan Took, MySqlException? Error)>
            {
                await WriteAsync(writer, "open session, at once"),
                await WriteAsync(proxy, "new session, at once"),
            };

            var clock = Stopwatch.StartNew();
            while (proxy.Listener.Context.PrimaryPool.Health.IsUp && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(10, Ct);
            }

            TimeSpan down = ReadLoad.Now;
            writes.Add(await WriteAsync(writer, "open session, primary marked down"));
            writes.Add(await WriteAsync(proxy, "new session, primary marked down"));
            string writerRead;
            try
            {
                writerRead = Convert.ToString(await Db.ScalarAsync(writer, "SELECT @@server_id", Ct), CultureInfo.InvariantCulture)!;
            }
            catch (MySqlException ex)
            {
                writerRead = $"{ex.Number} {ex.Message}";
            }

            await Task.Delay(1500, Ct);
            List<ReadSample> reads = await load.StopAsync();
            List<ReadSample> late = [.. reads.Where(r => r.Start >= killed + TimeSpan.FromSeconds(1))];
            string summary = string.Create(CultureInfo.InvariantCulture,
                $"primary marked down {(down - killed).TotalMilliseconds:F0} ms after SIGKILL; writes: " +
                $"{string.Join("; ", writes.Select(w => FormattableString.Invariant($"{w.When}: {w.Took.TotalMilliseconds:F0} ms, {w.Error?.Number} {w.Error?.Message}")))}" +
                $"; then a read in the writing session: {writerRead}; reads of reading sessions after the kill: {ids.Describe(reads.Where(r => r.Start >= killed))}");
            Report(summary);

            foreach ((string when, TimeSpan took, MySqlException? error) in writes)
            {
                Assert.True(error is not null, $"{when}: the write did not fail ({summary})");
                Assert.True(took < TimeSpan.FromSeconds(2), $"{when}: the error took {took} ({summary})");
                Assert.Contains("db1", error.Message, StringComparison.Ordinal);
            }

            Assert.False(proxy.Listener.Context.PrimaryPool.Health.IsUp, summary);
            Assert.True(ids.Replicas.Contains(long.TryParse(writerRead, CultureInfo.InvariantCulture, out long server) ? server : 0), summary);
            Assert.True(late.Count >= 100, summary);
            Assert.DoesNotContain(late, r => r.Failed);
            Assert.All(late, r => Assert.True(ids.Replicas.Contains(r.ServerId), $"a read ran on {r.ServerId}"));
        });

    /// <summary>With the primary dead, a new session that only reads must be able to log in and read on a replica.</summary>
    [Fact(Timeout = 150_000)]
    public Task PrimaryKilled_NewSessionsStillReadOnReplicas() =>
        WithPrimaryKilledAsync(async (proxy, writer, load, killed, ids) =>
        {
            var results = new List<string>();
            int ok = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                try
                {
                    await using MySqlConnection fresh = await Db.OpenAsync(proxy.ConnectionString(), Ct);
                    long server = Convert.ToInt64(await Db.ScalarAsync(fresh, "SELECT @@server_id", Ct), CultureInfo.InvariantCulture);
                    ok += ids.Replicas.Contains(server) ? 1 : 0;
                    results.Add(server.ToString(CultureInfo.InvariantCulture));
                }
                catch (MySqlException ex)
                {
                    results.Add($"{ex.Number} {ex.Message}");
                }

                await Task.Delay(200, Ct);
            }

            string summary = string.Join("; ", results.Distinct()) + " | replicas: " + string.Join("; ",
                proxy.Listener.Context.ReplicaPools.Select(p => $"{p.Backend.Name} up={p.Health.IsUp} replicating={p.Health.Replicating} lag={p.Health.SmoothedLag?.TotalMilliseconds} error={p.Health.Error}"));
            Report($"new sessions after the primary's death ({(proxy.Listener.Context.PrimaryPool.Health.IsUp ? "not yet" : "now")} marked down): {summary}");
            Assert.True(ok == results.Count, summary);
        });

    /// <summary>
    /// A proxy whose primary is an extra empty server (topology.sh add-empty; the replicas are the topology's, which do
    /// not replicate from it), a session that has written through it, and sessions reading; then that server is
    /// killed and <paramref name="afterKill"/> runs. A second proxy on the real topology keeps its heartbeat going on
    /// the replicas meanwhile, so that their lag stays measurable for the first proxy.
    /// </summary>
    private static async Task WithPrimaryKilledAsync(Func<ProxyInstance, MySqlConnection, ReadLoad, TimeSpan, ReadSplit, Task> afterKill)
    {
        await Replication.RestoreAsync();
        ReadSplit ids = await ReadSplit.LoadAsync(Ct);
        var extra = new IPEndPoint(IPAddress.Loopback, ExtraPort);
        await Replication.TopologyScriptAsync(["add-empty", ExtraPort.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(90), Ct);
        try
        {
            await Replication.ExecOnAsync(extra, "CREATE TABLE app.dead_primary (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)", Ct);
            await using ProxyInstance heartbeat = await ProxyInstance.StartAsync();
            await using ProxyInstance proxy = await LagProxy.StartAsync(o =>
            {
                o.Backends.Primary.Port = ExtraPort;
                o.Routing.ReadYourWrites = true; // the writing session's later read must still find a replica
            });

            await using MySqlConnection writer = await Db.OpenAsync(proxy.ConnectionString(), Ct);
            await Db.ExecuteAsync(writer, "INSERT INTO dead_primary (v) VALUES (1)", Ct);

            // Leaves nothing pinned (an auto-increment insert keeps its connection for LAST_INSERT_ID() until the next statement).
            await Db.ExecuteAsync(writer, "UPDATE dead_primary SET v = v + 1", Ct);
            await using ReadLoad load = ReadLoad.Start(proxy.ConnectionString(), 4, Ct, pause: TimeSpan.FromMilliseconds(1));
            await load.ExpectReadOnAsync(ids.Replicas[0], ids, Ct);

            TimeSpan killed = ReadLoad.Now;
            await Replication.KillServerAsync(extra);
            await afterKill(proxy, writer, load, killed, ids);
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await Replication.TopologyScriptAsync(["remove-empty", ExtraPort.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(60), cleanup.Token);
        }
    }

    /// <summary>A write in a new session: refusing the login counts as the write's error.</summary>
    private static async Task<(string When, TimeSpan Took, MySqlException? Error)> WriteAsync(ProxyInstance proxy, string when)
    {
        var clock = Stopwatch.StartNew();
        MySqlConnection session;
        try
        {
            session = await Db.OpenAsync(proxy.ConnectionString(), Ct);
        }
        catch (MySqlException ex)
        {
            return (when + " (refused at login)", clock.Elapsed, ex);
        }

        await using (session)
        {
            (string _, TimeSpan _, MySqlException? error) = await WriteAsync(session, when);
            return (when, clock.Elapsed, error);
        }
    }

    private static async Task<(string When, TimeSpan Took, MySqlException? Error)> WriteAsync(MySqlConnection session, string when)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await Db.ExecuteAsync(session, "UPDATE dead_primary SET v = v + 1", Ct);
            return (when, clock.Elapsed, null);
        }
        catch (MySqlException ex)
        {
            return (when, clock.Elapsed, ex);
        }
    }
}
