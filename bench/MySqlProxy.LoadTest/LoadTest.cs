using MySqlProxy.LoadTest.Measurement;
using MySqlProxy.LoadTest.Reporting;

namespace MySqlProxy.LoadTest;

/// <summary>
/// The whole invocation: optional --prepare, then for each workload its rounds (every target once per
/// round, in turn), or the --idle measurement.
/// </summary>
internal static class LoadTest
{
    public static async Task<LoadTestReport> RunAsync(LoadTestOptions o, IReadOnlyList<string> args, TextWriter log, CancellationToken ct)
    {
        var report = new LoadTestReport
        {
            Title = o.Title,
            StartedAt = DateTimeOffset.UtcNow,
            CommandLine = string.Join(' ', args),
            LoadAverageStart = ProcFs.ReadLoadAverage(),
        };
        report.Notes.AddRange(o.Notes);
        report.Targets.AddRange(o.Targets.Select(t => t.ToString()));
        foreach ((string name, int pid) in o.Pids)
        {
            if (!ProcFs.ProcessExists(pid)) throw new InvalidOperationException($"--pid {name}={pid}: no such process");
            report.Pids[name] = pid;
        }

        if (o.Prepare)
        {
            string gtid = await Database.PrepareTablesAsync(o, log, ct).ConfigureAwait(false);
            await Database.WaitForReplicasAsync(o, gtid, TimeSpan.FromSeconds(120), log, ct).ConfigureAwait(false);
        }

        using ProxyAdminClient? admin = o.ProxyAdminUrl is null ? null : new ProxyAdminClient(o.ProxyAdminUrl, o.ProxyAdminToken);
        var runner = new Runner(o, log, admin);
        foreach (WorkloadSpec spec in o.Workloads)
        {
            TimeSpan duration = spec.Duration ?? o.Duration;
            var w = new WorkloadReport
            {
                Name = spec.Name,
                Description = WorkloadDescriptions.For(spec.Name, o),
                Connections = o.Connections,
                Prepared = o.Prepared,
                Rounds = o.Rounds,
                DurationSeconds = duration.TotalSeconds,
                Count = o.Count,
                WarmupSeconds = o.Warmup.TotalSeconds,
                Tables = o.Tables,
                TableSize = o.TableSize,
            };
            report.Workloads.Add(w);

            ReplicaLagControl? lag = null;
            try
            {
                if (spec.Name == "mixed-lag")
                {
                    lag = await ReplicaLagControl.ApplyAsync(o, o.EffectiveLagReplica!, log, ct).ConfigureAwait(false);
                    w.Lag = lag.Description;
                }
                for (int round = 1; round <= o.Rounds; round++)
                {
                    int first = o.Rotate ? (round - 1) % o.Targets.Count : 0;
                    for (int k = 0; k < o.Targets.Count; k++)
                    {
                        TargetSpec target = o.Targets[(first + k) % o.Targets.Count];
                        RunResult r = await runner.RunAsync(spec.Name, duration, target, round, k, lag, ct).ConfigureAwait(false);
                        w.Runs.Add(r);
                        await log.WriteLineAsync(r.Failure is not null
                            ? $"{spec.Name} round {round} {target.Name}: failed: {r.Failure}"
                            : $"{spec.Name} round {round} {target.Name}: {r.Qps:F0} qps, p99 {r.P99Us / 1000.0:F2} ms, errors {r.Errors}, cpu {ReportWriter.F(r.CpuUsPerStatement, 1)} µs/stmt, load {ReportWriter.F(r.LoadAverage, 1)}").ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                if (lag is not null) await lag.DisposeAsync().ConfigureAwait(false);
            }
            w.Summary = Summarizer.Summarize(w.Runs, o.Targets.Select(t => t.Name).ToList());

            // The next workload starts with replicas that have applied this one's writes.
            if (o.Replicas.Count > 0 && spec.Name is "read-write" or "mixed-lag")
            {
                string gtid = await Database.PrimaryPositionAsync(o, ct).ConfigureAwait(false);
                await Database.WaitForReplicasAsync(o, gtid, TimeSpan.FromSeconds(60), log, ct).ConfigureAwait(false);
            }
        }

        if (o.Idle is not null) report.Idle.AddRange(await IdleMemory.RunAsync(o, log, ct).ConfigureAwait(false));

        report.FinishedAt = DateTimeOffset.UtcNow;
        report.LoadAverageEnd = ProcFs.ReadLoadAverage();
        return report;
    }
}
