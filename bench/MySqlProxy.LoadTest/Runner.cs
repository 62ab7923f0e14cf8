using System.Diagnostics;
using MySqlConnector;
using MySqlProxy.LoadTest.Measurement;
using MySqlProxy.LoadTest.Workloads;

namespace MySqlProxy.LoadTest;

/// <summary>
/// Runs one workload against one target: opens one connection per worker, runs the warm-up, then the
/// measured time (or count), reading the serving process's CPU before and after.
/// </summary>
internal sealed class Runner
{
    private readonly LoadTestOptions _options;
    private readonly TextWriter _log;
    private readonly ProxyAdminClient? _admin;

    public Runner(LoadTestOptions options, TextWriter log, ProxyAdminClient? admin)
    {
        _options = options;
        _log = log;
        _admin = admin;
    }

    public async Task<RunResult> RunAsync(string workload, TimeSpan duration, TargetSpec target, int round, int order, ReplicaLagControl? lag, CancellationToken ct)
    {
        var result = new RunResult { Workload = workload, Target = target.Name, Round = round, Order = order, Connections = _options.Connections };
        var settings = new WorkloadSettings(_options.Tables, _options.TableSize, _options.Prepared, _options.WritePercent, _options.Writers);
        string cs = Database.ConnectionString(target.Host, target.Port, _options.User, _options.Password, _options.Database);
        var connections = new List<MySqlConnection>(_options.Connections);
        var scripts = new List<WorkerScript>(_options.Connections);
        try
        {
            for (int i = 0; i < _options.Connections; i++)
            {
                var conn = new MySqlConnection(cs);
                connections.Add(conn);
                await conn.OpenAsync(ct).ConfigureAwait(false);
                scripts.Add(Scripts.Create(workload, conn, settings, new Random(HashCode.Combine(_options.Seed, round, i)), i));
            }
        }
        catch (Exception ex) when (ex is MySqlException or InvalidOperationException or IOException)
        {
            result.Failure = ex.Message;
            Dispose(scripts, connections);
            return result;
        }

        var control = new RunControl(_options.Count, _options.Connections);
        var workers = new Worker[_options.Connections];
        var threads = new Thread[_options.Connections];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new Worker(scripts[i], control);
            threads[i] = new Thread(workers[i].Run) { IsBackground = true, Name = $"load-{i}" };
        }
        result.LoadAverage = ProcFs.ReadLoadAverage();
        int? pid = _options.Pids.TryGetValue(target.Name, out int p) ? p : null;
        result.Pid = pid;
        bool isProxy = _admin is not null && target.Name == _options.ProxyTargetName;
        try
        {
            foreach (Thread t in threads) t.Start();
            if (_options.Warmup > TimeSpan.Zero) await Task.Delay(_options.Warmup, ct).ConfigureAwait(false);

            Dictionary<string, long>? backendsBefore = isProxy ? await _admin!.StatementsAsync(ct).ConfigureAwait(false) : null;
            CpuTicks? before = pid is int bp ? ProcFs.ReadProcessTicks(bp) : null;
            CpuTicks? selfBefore = ProcFs.ReadProcessTicks(Environment.ProcessId);
            MachineTicks? machineBefore = ProcFs.ReadMachineTicks();
            long start = Stopwatch.GetTimestamp();
            control.StartMeasuring();

            if (_options.Count is null) await Task.Delay(duration, ct).ConfigureAwait(false);
            else await control.AllCounted.WaitAsync(ct).ConfigureAwait(false);

            control.Stop();
            long end = Stopwatch.GetTimestamp();
            CpuTicks? after = pid is int ap ? ProcFs.ReadProcessTicks(ap) : null;
            CpuTicks? selfAfter = ProcFs.ReadProcessTicks(Environment.ProcessId);
            MachineTicks? machineAfter = ProcFs.ReadMachineTicks();
            Dictionary<string, long>? backendsAfter = isProxy ? await _admin!.StatementsAsync(ct).ConfigureAwait(false) : null;
            foreach (Thread t in threads) t.Join();

            result.Seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
            var histogram = new LatencyHistogram();
            foreach (Worker w in workers)
            {
                histogram.Add(w.Histogram);
                result.Events += w.Events;
                result.Statements += w.Statements;
                result.Errors += w.Errors;
                result.FirstError ??= w.FirstError;
            }
            result.P50Us = histogram.ValueAtPercentile(50);
            result.P95Us = histogram.ValueAtPercentile(95);
            result.P99Us = histogram.ValueAtPercentile(99);
            result.P999Us = histogram.ValueAtPercentile(99.9);
            result.MaxUs = histogram.Max;
            result.MeanUs = histogram.Mean;

            double usPerTick = 1_000_000.0 / ProcFs.ClockTicksPerSecond;
            if (before is CpuTicks b0 && after is CpuTicks a0)
            {
                CpuTicks d = a0 - b0;
                result.CpuUserUs = d.User * usPerTick;
                result.CpuSystemUs = d.System * usPerTick;
            }
            if (selfBefore is CpuTicks s0 && selfAfter is CpuTicks s1 && result.Statements > 0)
                result.ClientCpuUsPerStatement = (s1 - s0).Total * usPerTick / result.Statements;
            if (machineBefore is MachineTicks m0 && machineAfter is MachineTicks m1)
                result.MachineBusy = m1.BusySince(m0);
            if (backendsBefore is not null && backendsAfter is not null)
            {
                result.BackendStatements = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach ((string name, long count) in backendsAfter)
                    result.BackendStatements[name] = count - (backendsBefore.TryGetValue(name, out long c0) ? c0 : 0);
            }
            if (lag is not null)
            {
                result.ReplicaLagSeconds = await lag.ObserveLagAsync(ct).ConfigureAwait(false);
                if (isProxy) result.ProxyReplicaView = await _admin!.ReplicaViewAsync(ct).ConfigureAwait(false);
            }
            return result;
        }
        finally
        {
            control.Stop();
            foreach (Thread t in threads)
            {
                if (t.ThreadState != System.Threading.ThreadState.Unstarted) t.Join();
            }
            Dispose(scripts, connections);
        }
    }

    private static void Dispose(List<WorkerScript> scripts, List<MySqlConnection> connections)
    {
        foreach (WorkerScript s in scripts) s.Dispose();
        foreach (MySqlConnection c in connections) c.Dispose();
    }

    /// <summary>Phase shared by a run's workers: warm-up, measuring, stopped; and the event budget of --count.</summary>
    private sealed class RunControl(long? count, int workers)
    {
        private const int Warmup = 0, Measuring = 1, Stopped = 2;
        private readonly TaskCompletionSource _allCounted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _phase;
        private long _remaining = count ?? long.MaxValue;
        private int _activeCounters = workers;

        public bool CountMode { get; } = count is not null;

        public bool IsStopped => Volatile.Read(ref _phase) == Stopped;
        public bool IsMeasuring => Volatile.Read(ref _phase) == Measuring;

        public Task AllCounted => _allCounted.Task;

        public void StartMeasuring() => Volatile.Write(ref _phase, Measuring);

        public void Stop() => Volatile.Write(ref _phase, Stopped);

        /// <summary>Takes one event of the --count budget; false when it is used up.</summary>
        public bool TryTakeEvent() => Interlocked.Decrement(ref _remaining) >= 0;

        /// <summary>A worker found the budget used up and finished its last event.</summary>
        public void WorkerDone()
        {
            if (Interlocked.Decrement(ref _activeCounters) == 0) _allCounted.TrySetResult();
        }
    }

    /// <summary>One worker thread: runs events back to back on its connection and records measured ones.</summary>
    private sealed class Worker(WorkerScript script, RunControl control)
    {
        public LatencyHistogram Histogram { get; } = new();
        public long Events { get; private set; }
        public long Statements { get; private set; }
        public long Errors { get; private set; }
        public string? FirstError { get; private set; }

        public void Run()
        {
            double microsPerTick = 1_000_000.0 / Stopwatch.Frequency;
            bool counted = false;
            while (!control.IsStopped)
            {
                bool measuring = control.IsMeasuring;
                if (measuring && control.CountMode && !control.TryTakeEvent())
                {
                    counted = true;
                    break;
                }
                long start = Stopwatch.GetTimestamp();
                try
                {
                    int statements = script.RunEvent();
                    if (measuring)
                    {
                        Histogram.Record((long)((Stopwatch.GetTimestamp() - start) * microsPerTick));
                        Events++;
                        Statements += statements;
                    }
                }
                catch (Exception ex) when (ex is MySqlException or InvalidOperationException or IOException or TimeoutException)
                {
                    if (measuring)
                    {
                        Errors++;
                        FirstError ??= ex.Message;
                    }
                    script.Recover();
                }
            }
            if (control.CountMode && counted) control.WorkerDone();
        }
    }
}
