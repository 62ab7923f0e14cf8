using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Control;
using MySqlProxy.Operations.Diagnostics;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Replicas;

/// <summary>
/// Sets up a new replica as one tracked job: checks that the target is reachable and empty (touching nothing
/// otherwise), makes the primary ready (binary log, ROW format, a replication user), seeds the target
/// (<see cref="ISeedSource"/>), points it at the primary with MASTER_USE_GTID=slave_pos, starts replication and
/// watches both threads, adds it to routing (catching up: no reads) and waits until its lag is within its
/// limit. A failure names the step; what was done to the target and to routing is undone, and neither the
/// primary's data nor the existing replicas are touched.
/// </summary>
public sealed partial class ReplicaSetup
{
    /// <summary>The job kind, as <c>GET /api/jobs?kind=</c> filters it.</summary>
    public const string Kind = "replica-setup";

    /// <summary>Schemas never copied (the server's own); <c>mysqlproxy</c> is copied with the snapshot, see <see cref="LogicalSeed"/>.</summary>
    internal static readonly string[] SystemSchemas = ["mysql", "sys", "information_schema", "performance_schema"];

    /// <summary>The proxy's heartbeat schema.</summary>
    internal const string ProxySchema = "mysqlproxy";

    private readonly ProxyControl _control;
    private readonly ServerLogin _primary;
    private readonly ReplicaSetupOptions _options;
    private readonly ReplicaSetupRequest _request;
    private readonly ILogger _logger;
    private readonly Func<BackendOptions, CancellationToken, Task> _joined;
    private readonly Func<string, Task> _left;

    /// <param name="control">The running proxy (routing).</param>
    /// <param name="primary">The primary and the administrative login used there.</param>
    /// <param name="options">replica_setup settings.</param>
    /// <param name="request">What was asked.</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="joined">Called once the replica is in routing (the admin endpoint saves it in proxy.runtime.json).</param>
    /// <param name="left">Called when a replica that had joined is taken out again after a failure.</param>
    public ReplicaSetup(
        ProxyControl control,
        ServerLogin primary,
        ReplicaSetupOptions options,
        ReplicaSetupRequest request,
        ILogger logger,
        Func<BackendOptions, CancellationToken, Task>? joined = null,
        Func<string, Task>? left = null)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(logger);
        _control = control;
        _primary = primary;
        _options = options;
        _request = request;
        _logger = logger;
        _joined = joined ?? ((_, _) => Task.CompletedTask);
        _left = left ?? (_ => Task.CompletedTask);
    }

    /// <summary>Starts the set-up as a job (one replica set-up at a time: they share the primary's I/O).</summary>
    public Job Start(JobManager jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return jobs.Start(Kind, Kind, _request.Describe(), RunAsync);
    }

    /// <summary>The seed the request asks for.</summary>
    internal ISeedSource SeedSource() => _request.EffectiveSeed == SeedMethod.Physical ? new StreamedBackupSeed() : new LogicalSeed();

    /// <summary>The job's work; returns its result.</summary>
    internal async Task<object?> RunAsync(Job job)
    {
        CancellationToken ct = job.CancellationToken;
        var clock = Stopwatch.StartNew();
        ServerLogin target = _request.Target;
        ISeedSource seed = SeedSource();
        var context = new SeedContext(job, _primary, target, _request, _options.WorkDir, _logger);

        job.SetStep("check target");
        TargetFacts facts = await CheckTargetAsync(job, ct).ConfigureAwait(false);

        job.SetStep("prepare primary");
        await PreparePrimaryAsync(job, facts, ct).ConfigureAwait(false);

        bool seeded = false;
        bool replicating = false;
        bool joined = false;
        try
        {
            job.SetStep($"seed ({seed.Name})");
            seeded = true;
            SeedResult copied = await seed.SeedAsync(context, ct).ConfigureAwait(false);
            job.Log(string.Create(CultureInfo.InvariantCulture,
                $"seeded at GTID position '{copied.GtidPosition}': {copied.Tables} tables, {copied.Rows} rows, {copied.Bytes} bytes in {clock.Elapsed.TotalSeconds:F1} s"));

            job.SetStep("start replication");
            replicating = true;
            await StartReplicationAsync(job, copied.GtidPosition, ct).ConfigureAwait(false);

            job.SetStep("join routing");
            var backend = new BackendOptions { Name = _request.Name, Host = target.Host, Port = target.Port, Weight = _request.Weight };
            BackendView view;
            try
            {
                view = _control.AddReplica(backend, BackendState.Online, _request.MaxLag);
            }
            catch (BackendChangeException ex)
            {
                throw new JobFailedException($"the proxy refused the new backend ({ex.Field}: {ex.Message})", ex);
            }

            joined = true;
            job.Log($"'{view.Name}' is in routing, catching up (no reads until its lag is within its limit)");
            await _joined(backend, ct).ConfigureAwait(false);

            job.SetStep("catch up");
            BackendView admitted = await WaitForCatchUpAsync(job, ct).ConfigureAwait(false);
            Log.ReplicaReady(_logger, _request.Name, target.Address, clock.Elapsed.TotalSeconds);
            return new ReplicaSetupResult(
                admitted.Name, target.Host, target.Port, seed.Name, copied.GtidPosition, copied.Tables, copied.Rows, copied.Bytes,
                Math.Round(clock.Elapsed.TotalSeconds, 1), admitted.SmoothedLagMs ?? admitted.LagMs);
        }
        catch (Exception ex)
        {
            // Undo on the target and in routing; never on the primary or the other replicas.
            Log.ReplicaSetupUndoing(_logger, _request.Name, job.Snapshot().Step, ex.Message);
            using var undo = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            if (joined)
            {
                await LeaveRoutingAsync(job).ConfigureAwait(false);
            }

            if (replicating)
            {
                await ResetReplicationAsync(job, undo.Token).ConfigureAwait(false);
            }

            if (seeded)
            {
                try
                {
                    await seed.CleanUpAsync(context, undo.Token).ConfigureAwait(false);
                }
                catch (Exception cleanup) when (cleanup is MySqlException or IOException or InvalidOperationException or OperationCanceledException or JobFailedException)
                {
                    job.Log($"clean-up of the target failed: {cleanup.Message}");
                }
            }

            throw;
        }
    }

    private async Task LeaveRoutingAsync(Job job)
    {
        try
        {
            BackendRemoval removal = await _control.RemoveBackendAsync(_request.Name, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            job.Log(removal.Removed ? $"'{_request.Name}' taken out of routing again" : $"'{_request.Name}' could not be taken out of routing: {removal.Reason}");
            if (removal.Removed)
            {
                await _left(_request.Name).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is KeyNotFoundException or BackendChangeException)
        {
            job.Log($"'{_request.Name}' could not be taken out of routing: {ex.Message}");
        }
    }

    /// <summary>Waits until the monitor admits the new replica to reads (up, replicating, within its lag limit).</summary>
    private async Task<BackendView> WaitForCatchUpAsync(Job job, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan lastLog = TimeSpan.Zero;
        while (true)
        {
            BackendView view = _control.Backend(_request.Name)
                ?? throw new JobFailedException($"'{_request.Name}' was removed from routing while it caught up");
            // A measured lag means the monitor has checked it since it joined (before that nothing is known).
            if (view.Up && view.Replicating == true && !view.CatchingUp && view.SmoothedLagMs is not null && (view.EffectiveWeight > 0 || view.Weight == 0))
            {
                job.Log(string.Create(CultureInfo.InvariantCulture, $"caught up after {clock.Elapsed.TotalSeconds:F1} s (lag {view.SmoothedLagMs ?? view.LagMs ?? 0:F0} ms): it serves reads"));
                return view;
            }

            if (clock.Elapsed > _request.CatchUpTimeout)
            {
                string lag = view.SmoothedLagMs is double ms ? string.Create(CultureInfo.InvariantCulture, $"{ms:F0} ms") : "unknown";
                throw new JobFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"'{_request.Name}' did not catch up within {_request.CatchUpTimeout.TotalSeconds:F0} s (lag {lag}, replicating: {view.Replicating?.ToString() ?? "unknown"}{(view.Error is null ? string.Empty : ", " + view.Error)})"));
            }

            if (clock.Elapsed - lastLog > TimeSpan.FromSeconds(5))
            {
                lastLog = clock.Elapsed;
                job.Log(string.Create(CultureInfo.InvariantCulture,
                    $"catching up: up={view.Up}, replicating={view.Replicating?.ToString() ?? "unknown"}, lag={(view.SmoothedLagMs is double l ? l.ToString("F0", CultureInfo.InvariantCulture) + " ms" : "unknown")}"));
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }
}

/// <summary>A finished replica set-up, as the job's result.</summary>
public sealed record ReplicaSetupResult(
    string Name,
    string Host,
    int Port,
    string Seed,
    string GtidPosition,
    int Tables,
    long Rows,
    long Bytes,
    double Seconds,
    double? LagMs);
