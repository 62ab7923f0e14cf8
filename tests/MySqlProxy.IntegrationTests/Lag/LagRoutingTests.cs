using System.Globalization;
using System.Net;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Monitoring;
using MySqlProxy.Core.Routing;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Lag;

/// <summary>Reads follow weight and measured lag on the real topology, each test with its own proxy (<see cref="LagProxy"/>).</summary>
[Collection(LagCollection.Name)]
public sealed class LagRoutingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The replica the tests hold back.</summary>
    private static IPEndPoint Held => Topology.Replicas[^1];

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>
    /// The last replica's SQL thread stopped while writes flow: its lag is unknown from the next check on (never taken
    /// for fresh), so from 1 s after STOP SLAVE SQL_THREAD it gets no reads; after START SLAVE SQL_THREAD it catches up
    /// and gets reads again within 1 s of that.
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task SqlThreadStopped_WritesFlowing_NoReadsAfter1s_ReadsAgainWithin1sOfCatchingUp()
    {
        await Replication.RestoreAsync();
        ReadSplit ids = await ReadSplit.LoadAsync(Ct);
        long held = ids.IdOf(Held);
        await using ProxyInstance proxy = await LagProxy.StartAsync();
        BackendPool pool = proxy.Listener.Context.ReplicaPools[^1];
        await using WriteLoad writes = await WriteLoad.StartAsync(Ct);
        await using ReadLoad reads = ReadLoad.Start(proxy.ConnectionString(), 4, Ct, pause: TimeSpan.FromMilliseconds(1));
        await reads.ExpectReadOnAsync(held, ids, Ct);

        TimeSpan stopped, started, caughtUp;
        TimeSpan? back;
        BackendHealth whileStopped;
        try
        {
            await Replication.ExecOnAsync(Held, "STOP SLAVE SQL_THREAD", Ct);
            stopped = ReadLoad.Now;
            await Task.Delay(2500, Ct);
            whileStopped = pool.Health;

            string position = await Replication.PrimaryPositionAsync(Ct);
            await Replication.ExecOnAsync(Held, "START SLAVE SQL_THREAD", Ct);
            started = ReadLoad.Now;
            Assert.True(await Replication.WaitForPositionAsync(Held, position, TimeSpan.FromSeconds(10), Ct), "the replica did not catch up");
            caughtUp = ReadLoad.Now;
            back = await reads.WaitForReadOnAsync(held, started, TimeSpan.FromSeconds(5), Ct);
            await Task.Delay(300, Ct);
        }
        finally
        {
            await Replication.RestoreAsync();
        }

        List<ReadSample> all = await reads.StopAsync();
        writes.ThrowIfFailed();
        List<ReadSample> stoppedWindow = [.. all.Where(r => r.Start >= stopped && r.Start < started)];
        TimeSpan lastOnHeld = stoppedWindow.Where(r => r.ServerId == held).Select(r => r.End).DefaultIfEmpty(stopped).Max();
        int lateOnHeld = stoppedWindow.Count(r => r.ServerId == held && r.Start >= stopped + TimeSpan.FromSeconds(1));
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"{writes.Rows} rows written; last read on the stopped replica {(lastOnHeld - stopped).TotalMilliseconds:F0} ms after STOP SLAVE SQL_THREAD; " +
            $"caught up {(caughtUp - started).TotalMilliseconds:F0} ms after START SLAVE SQL_THREAD, first read there again " +
            $"{(back is { } b ? $"{(b - caughtUp).TotalMilliseconds:F0} ms after catching up" : "never")}; " +
            $"while stopped: lag {whileStopped.Lag?.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) ?? "unknown"}, replicating {whileStopped.Replicating}; " +
            $"reads while stopped: {ids.Describe(stoppedWindow)}");
        Report(summary);

        Assert.Null(whileStopped.Lag);
        Assert.Equal(0, lateOnHeld);
        Assert.DoesNotContain(stoppedWindow, r => r.Failed);
        Assert.Contains(stoppedWindow, r => ids.Replicas.Contains(r.ServerId) && r.ServerId != held);
        Assert.NotNull(back);
        Assert.True(back.Value - caughtUp <= TimeSpan.FromSeconds(1), summary);
    }

    /// <summary>
    /// The common way a replica falls behind with its threads running: its SQL thread waits (here behind a table
    /// lock taken on the replica, which writes nothing). Its measured lag grows past max_replica_lag (2 s, from the
    /// moment the first write it could not apply was made): from 1 s after that it gets no reads; once the lock is
    /// gone and it has caught up, it gets reads again within 1 s.
    /// </summary>
    [Theory(Timeout = 60_000)]
    [InlineData(5)]
    [InlineData(30)]
    public async Task SqlThreadBlocked_LagGrowsPastMax_NoReadsWithin1s_ReadsAgainWithin1sOfCatchingUp(int holdSeconds)
    {
        TimeSpan hold = TimeSpan.FromSeconds(holdSeconds);
        await Replication.RestoreAsync();
        ReadSplit ids = await ReadSplit.LoadAsync(Ct);
        long held = ids.IdOf(Held);
        await using ProxyInstance proxy = await LagProxy.StartAsync();
        TimeSpan maxLag = proxy.Options.Routing.MaxReplicaLag.Value;
        BackendPool pool = proxy.Listener.Context.ReplicaPools[^1];
        await using WriteLoad writes = await WriteLoad.StartAsync(Ct);
        await Replication.WaitForPositionAsync(Held, await Replication.PrimaryPositionAsync(Ct), TimeSpan.FromSeconds(10), Ct);
        await using ReadLoad reads = ReadLoad.Start(proxy.ConnectionString(), 4, Ct, pause: TimeSpan.FromMilliseconds(1));
        await reads.ExpectReadOnAsync(held, ids, Ct);

        TimeSpan locked, unlocked, caughtUp;
        TimeSpan? back;
        BackendHealth atRelease;
        var lags = new List<(TimeSpan At, BackendHealth Health)>();
        await using (var locker = await Db.OpenAsync(Replication.AdminOn(Held), Ct))
        {
            try
            {
                await Db.ExecuteAsync(locker, $"LOCK TABLES app.`{writes.Table}` READ", Ct);
                locked = ReadLoad.Now;
                while (ReadLoad.Now < locked + hold)
                {
                    if (lags.Count == 0 || !ReferenceEquals(lags[^1].Health, pool.Health))
                    {
                        lags.Add((ReadLoad.Now, pool.Health));
                    }

                    await Task.Delay(5, Ct);
                }

                atRelease = pool.Health;
                string position = await Replication.PrimaryPositionAsync(Ct);
                await Db.ExecuteAsync(locker, "UNLOCK TABLES", Ct);
                unlocked = ReadLoad.Now;
                Assert.True(await Replication.WaitForPositionAsync(Held, position, TimeSpan.FromSeconds(10), Ct), "the replica did not catch up");
                caughtUp = ReadLoad.Now;
                back = await reads.WaitForReadOnAsync(held, unlocked, TimeSpan.FromSeconds(5), Ct);
                while (ReadLoad.Now < caughtUp + TimeSpan.FromSeconds(1.5))
                {
                    if (!ReferenceEquals(lags[^1].Health, pool.Health))
                    {
                        lags.Add((ReadLoad.Now, pool.Health));
                    }

                    await Task.Delay(5, Ct);
                }
            }
            finally
            {
                await Db.ExecuteAsync(locker, "UNLOCK TABLES", CancellationToken.None);
                await Replication.RestoreAsync();
            }
        }

        List<ReadSample> all = await reads.StopAsync();
        writes.ThrowIfFailed();

        // Writes flow every few milliseconds, so the first one the replica could not apply came right after the lock.
        TimeSpan passed = locked + maxLag;
        List<ReadSample> heldBack = [.. all.Where(r => r.Start >= locked && r.Start < unlocked)];
        TimeSpan lastOnHeld = heldBack.Where(r => r.ServerId == held).Select(r => r.Start).DefaultIfEmpty(locked).Max();
        int late = heldBack.Count(r => r.ServerId == held && r.Start >= passed + TimeSpan.FromSeconds(1));
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"last read on the held replica {(lastOnHeld - passed).TotalMilliseconds:F0} ms after its lag passed {maxLag.TotalSeconds} s; " +
            $"at release lag {atRelease.Lag?.TotalMilliseconds:F0} ms, smoothed {atRelease.SmoothedLag?.TotalMilliseconds:F0} ms; " +
            $"caught up {(caughtUp - unlocked).TotalMilliseconds:F0} ms after UNLOCK TABLES, first read there again " +
            $"{(back is { } b ? $"{(b - caughtUp).TotalMilliseconds:F0} ms after catching up" : "never")}; reads while held back: {ids.Describe(heldBack)}");
        Report(summary);
        foreach ((TimeSpan at, BackendHealth health) in lags)
        {
            Report(string.Create(CultureInfo.InvariantCulture,
                $"  {(at - locked).TotalMilliseconds,6:F0} ms after the lock: lag {health.Lag?.TotalMilliseconds,6:F0} smoothed {health.SmoothedLag?.TotalMilliseconds,6:F0}"));
        }

        Assert.Equal(0, late);
        Assert.DoesNotContain(heldBack, r => r.Failed);
        Assert.NotNull(back);
        Assert.True(back.Value - caughtUp <= TimeSpan.FromSeconds(1), summary);
    }

    /// <summary>Both replicas fresh, weights 300 and 100: 10,000 reads from 8 sessions split 75/25 (±5%).</summary>
    [Fact(Timeout = 60_000)]
    public async Task Weights3To1_10000Reads_Split75To25()
    {
        const int Reads = 10_000;
        await Replication.RestoreAsync();
        ReadSplit ids = await ReadSplit.LoadAsync(Ct);
        await using ProxyInstance proxy = await LagProxy.StartAsync(o =>
        {
            o.Backends.Replicas[0].Weight = 300;
            o.Backends.Replicas[1].Weight = 100;
        });

        await using ReadLoad load = ReadLoad.Start(proxy.ConnectionString(), 8, Ct, total: Reads);
        List<ReadSample> reads = await load.StopAsync(waitForTotal: true);

        string summary = ids.Describe(reads);
        Report($"weights 300:100 over {reads.Count} reads: {summary}");
        Assert.Equal(Reads, reads.Count);
        Assert.DoesNotContain(reads, r => r.Failed);
        int first = reads.Count(r => r.ServerId == ids.Replicas[0]);
        int second = reads.Count(r => r.ServerId == ids.Replicas[1]);
        Assert.Equal(Reads, first + second);
        Assert.InRange(first / (double)Reads, 0.70, 0.80);
    }

    /// <summary>
    /// One replica delayed (MASTER_DELAY), the other not, writes flowing: the held replica's share of reads must be
    /// what the lag factor of its smoothed lag gives, sampled as the reads run (±7%). MariaDB applies a delayed event
    /// once its whole-second timestamp plus the delay has passed, so the lag is a saw tooth between delay-1 and delay
    /// seconds (plus a phase): delay 1 gives ~0.5-1.5 s, delay 2 ~1.5-2.5 s, well apart from an even split.
    /// </summary>
    [Theory(Timeout = 60_000)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task DifferentSteadyLag_WritesFlowing_SplitFollowsLagFactor(int delaySeconds)
    {
        await Replication.RestoreAsync();
        ReadSplit ids = await ReadSplit.LoadAsync(Ct);
        long held = ids.IdOf(Held);
        await using ProxyInstance proxy = await LagProxy.StartAsync(o =>
        {
            o.Routing.MaxReplicaLag = Duration.FromSeconds(3);
            o.Routing.LagFloor = Duration.FromMilliseconds(100);
        });
        IReadOnlyList<BackendPool> pools = proxy.Listener.Context.ReplicaPools;
        RoutingOptions options = proxy.Listener.Context.Router.Options;
        await using WriteLoad writes = await WriteLoad.StartAsync(Ct);

        var expected = new List<(TimeSpan At, double Share, double HeldLag, double OtherLag)>();
        List<ReadSample> reads;
        try
        {
            await Replication.SetDelayAsync(Held, delaySeconds, Ct);
            await WaitAsync(() => pools[^1].Health.SmoothedLag > TimeSpan.FromMilliseconds(400 * delaySeconds), TimeSpan.FromSeconds(10));
            await Task.Delay(1000, Ct);

            await using ReadLoad load = ReadLoad.Start(proxy.ConnectionString(), 4, Ct);
            TimeSpan until = ReadLoad.Now + TimeSpan.FromSeconds(5);
            while (ReadLoad.Now < until)
            {
                // What the balancer should do right now: weight x lag factor of each replica's smoothed lag.
                double total = 0;
                double heldWeight = 0;
                for (int i = 0; i < pools.Count; i++)
                {
                    BackendHealth health = pools[i].Health;
                    double weight = health.IsUp ? pools[i].Backend.Weight * Router.LagFactor(health.SmoothedLag, options.LagFloor.Value, options.MaxReplicaLag.Value) : 0;
                    total += weight;
                    heldWeight += i == pools.Count - 1 ? weight : 0;
                }

                expected.Add((ReadLoad.Now, total == 0 ? double.NaN : heldWeight / total,
                    pools[^1].Health.SmoothedLag?.TotalMilliseconds ?? double.NaN, pools[0].Health.SmoothedLag?.TotalMilliseconds ?? double.NaN));
                await Task.Delay(2, Ct);
            }

            reads = await load.StopAsync();
        }
        finally
        {
            await Replication.RestoreAsync();
        }

        writes.ThrowIfFailed();
        Assert.DoesNotContain(reads, r => r.Failed);

        // Each read against the expectation in force when it started.
        var onReplicas = reads.Where(r => r.ServerId != ids.Primary && r.Start >= expected[0].At).ToList();
        double expectedShare = Stats.Mean(onReplicas.Select(r => ExpectedAt(expected, r.Start)).Where(s => !double.IsNaN(s)));
        double actualShare = onReplicas.Count(r => r.ServerId == held) / (double)onReplicas.Count;
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"MASTER_DELAY={delaySeconds}: {onReplicas.Count} replica reads; held replica smoothed lag {Stats.Mean(expected.Select(e => e.HeldLag)):F0} ms " +
            $"(range {Stats.Percentile(expected.Select(e => e.HeldLag), 0):F0}..{Stats.Percentile(expected.Select(e => e.HeldLag), 100):F0}), " +
            $"other {Stats.Mean(expected.Select(e => e.OtherLag)):F0} ms; held share expected {expectedShare:P1}, actual {actualShare:P1}; all reads: {ids.Describe(reads)}");
        Report(summary);
        Assert.True(onReplicas.Count >= 1000, summary);
        Assert.InRange(actualShare, expectedShare - 0.07, expectedShare + 0.07);
    }

    /// <summary>
    /// One replica delayed by 2 s (its lag never below ~1 s), max_replica_lag 3 s so that it still serves ordinary
    /// reads: reads hinted <c>/* max_lag=200ms */</c> never go to it, and still go to the fresh replica.
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task MaxLagHint_ReplicaAboutASecondBehind_HintedReadsNeverGoThere()
    {
        await Replication.RestoreAsync();
        ReadSplit ids = await ReadSplit.LoadAsync(Ct);
        long held = ids.IdOf(Held);
        await using ProxyInstance proxy = await LagProxy.StartAsync(o =>
        {
            o.Routing.MaxReplicaLag = Duration.FromSeconds(3);
        });
        BackendPool pool = proxy.Listener.Context.ReplicaPools[^1];
        await using WriteLoad writes = await WriteLoad.StartAsync(Ct);

        List<ReadSample> hinted, plain;
        double minLag = double.MaxValue;
        try
        {
            await Replication.SetDelayAsync(Held, 2, Ct);
            await WaitAsync(() => pool.Health.SmoothedLag > TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(10));

            await using ReadLoad hintedLoad = ReadLoad.Start(proxy.ConnectionString(), 3, Ct, sql: "SELECT /* max_lag=200ms */ @@server_id");
            await using ReadLoad plainLoad = ReadLoad.Start(proxy.ConnectionString(), 2, Ct);
            TimeSpan until = ReadLoad.Now + TimeSpan.FromSeconds(4);
            while (ReadLoad.Now < until)
            {
                minLag = Math.Min(minLag, pool.Health.Lag?.TotalMilliseconds ?? double.MaxValue);
                await Task.Delay(10, Ct);
            }

            hinted = await hintedLoad.StopAsync();
            plain = await plainLoad.StopAsync();
        }
        finally
        {
            await Replication.RestoreAsync();
        }

        writes.ThrowIfFailed();
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"held replica's lowest reported lag {minLag:F0} ms; hinted reads: {ids.Describe(hinted)}; plain reads: {ids.Describe(plain)}");
        Report(summary);
        Assert.True(minLag > 200, summary);
        Assert.DoesNotContain(hinted, r => r.Failed);
        Assert.True(hinted.Count >= 200, summary);
        Assert.DoesNotContain(hinted, r => r.ServerId == held);
        Assert.All(hinted, r => Assert.Equal(ids.Replicas[0], r.ServerId));
        Assert.Contains(plain, r => r.ServerId == held);
    }

    /// <summary>
    /// No replica within max_replica_lag (0.5 s): one delayed by 2 s, the other's SQL thread stopped (lag unknown).
    /// With min_serving_replicas 1 the least-lagged replica under hard_replica_lag (5 s) keeps serving every read; the
    /// one whose lag is unknown never does; without the option every read goes to the primary.
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task MinServingSet_NoReplicaWithinMaxLag_LeastLaggedKeepsServing()
    {
        await Replication.RestoreAsync();
        ReadSplit ids = await ReadSplit.LoadAsync(Ct);
        IPEndPoint delayed = Topology.Replicas[0];
        void Configure(ProxyOptions o, int minServing)
        {
            o.Routing.MaxReplicaLag = Duration.FromMilliseconds(500);
            o.Routing.HardReplicaLag = Duration.FromSeconds(5);
            o.Routing.MinServingReplicas = minServing;
        }

        await using ProxyInstance serving = await LagProxy.StartAsync(o => Configure(o, 1));
        await using ProxyInstance plain = await LagProxy.StartAsync(o => Configure(o, 0));
        BackendPool delayedPool = serving.Listener.Context.ReplicaPools[0];
        await using WriteLoad writes = await WriteLoad.StartAsync(Ct);

        List<ReadSample> withSet, without;
        BackendHealth delayedHealth, stoppedHealth;
        try
        {
            await Replication.SetDelayAsync(delayed, 2, Ct);
            await Replication.ExecOnAsync(Held, "STOP SLAVE SQL_THREAD", Ct);
            await WaitAsync(() => delayedPool.Health.SmoothedLag > TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(10));

            await using ReadLoad withLoad = ReadLoad.Start(serving.ConnectionString(), 2, Ct, pause: TimeSpan.FromMilliseconds(1));
            await using ReadLoad withoutLoad = ReadLoad.Start(plain.ConnectionString(), 2, Ct, pause: TimeSpan.FromMilliseconds(1));
            await Task.Delay(2000, Ct);
            delayedHealth = delayedPool.Health;
            stoppedHealth = serving.Listener.Context.ReplicaPools[^1].Health;
            withSet = await withLoad.StopAsync();
            without = await withoutLoad.StopAsync();
        }
        finally
        {
            await Replication.RestoreAsync();
        }

        writes.ThrowIfFailed();
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"delayed replica smoothed lag {delayedHealth.SmoothedLag?.TotalMilliseconds:F0} ms, stopped one {stoppedHealth.SmoothedLag?.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) ?? "unknown"}; " +
            $"min_serving_replicas 1: {ids.Describe(withSet)}; 0: {ids.Describe(without)}");
        Report(summary);
        Assert.True(withSet.Count >= 100 && without.Count >= 100, summary);
        Assert.All(withSet, r => Assert.Equal(ids.Replicas[0], r.ServerId));
        Assert.All(without, r => Assert.Equal(ids.Primary, r.ServerId));
    }

    private static double ExpectedAt(List<(TimeSpan At, double Share, double HeldLag, double OtherLag)> samples, TimeSpan at)
    {
        int low = 0;
        int high = samples.Count - 1;
        while (low < high)
        {
            int middle = (low + high + 1) / 2;
            if (samples[middle].At <= at)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return samples[low].Share;
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var until = ReadLoad.Now + timeout;
        while (!condition())
        {
            if (ReadLoad.Now > until)
            {
                throw new TimeoutException($"condition not met within {timeout}");
            }

            await Task.Delay(20, Ct);
        }
    }
}
