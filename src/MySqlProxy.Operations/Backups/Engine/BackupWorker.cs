using Microsoft.Extensions.Logging;
using MySqlProxy.Operations.Backups.Planning;
using MySqlProxy.Operations.Diagnostics;
using MySqlProxy.Operations.Backups.Repository;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Backups.Engine;

/// <summary>
/// The background side of backups, run by the process that hosts the <see cref="BackupService"/>: the cron
/// schedules of <c>backups.schedules</c> (each run is a job, so it shows in the job history and the job metrics,
/// and a run that would overlap another of its chain is refused and logged) and the binlog archiver loop.
/// </summary>
public sealed class BackupWorker : IAsyncDisposable
{
    private readonly BackupService _service;
    private readonly IReadOnlyList<BackupSchedule> _schedules;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public BackupWorker(BackupService service, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(logger);
        _service = service;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _schedules = [.. service.Options.Schedules.Select(s => BackupSchedule.Parse(s.Type, s.Cron))];
    }

    public void Start()
    {
        if (_schedules.Count > 0)
        {
            _loops.Add(Task.Run(() => ScheduleLoopAsync(_stop.Token)));
        }

        if (_service.Options.BinlogArchive.Enabled)
        {
            _loops.Add(Task.Run(() => _service.RunArchiverAsync(_stop.Token)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>The schedules due in (<paramref name="from"/>, <paramref name="to"/>].</summary>
    internal static IEnumerable<BackupSchedule> Due(IEnumerable<BackupSchedule> schedules, DateTimeOffset from, DateTimeOffset to) =>
        schedules.Where(s => s.Next(from) is { } next && next <= to);

    private async Task ScheduleLoopAsync(CancellationToken ct)
    {
        DateTimeOffset last = _time.GetUtcNow();
        while (!ct.IsCancellationRequested)
        {
            DateTimeOffset? next = _schedules.Select(s => s.Next(last)).Where(n => n is not null).Min();
            if (next is null)
            {
                return;
            }

            TimeSpan wait = next.Value - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait < TimeSpan.FromMinutes(1) ? wait : TimeSpan.FromMinutes(1), _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (_time.GetUtcNow() < next.Value)
                {
                    continue;
                }
            }

            DateTimeOffset now = _time.GetUtcNow();
            foreach (BackupSchedule schedule in Due(_schedules, last, now))
            {
                await RunAsync(schedule, ct).ConfigureAwait(false);
            }

            last = now;
        }
    }

    private async Task RunAsync(BackupSchedule schedule, CancellationToken ct)
    {
        try
        {
            Job job = schedule.Type switch
            {
                "full" => _service.StartBackup(BackupType.Full),
                "incremental" => (await _service.ListAsync(ct).ConfigureAwait(false)).Count == 0
                    ? _service.StartBackup(BackupType.Full)
                    : _service.StartBackup(BackupType.Incremental),
                _ => _service.StartVerify((await _service.ListAsync(ct).ConfigureAwait(false)) is { Count: > 0 } all
                    ? all[^1].Label
                    : throw new JobConflictException("no backup to verify yet")),
            };
            Log.ScheduledRun(_logger, schedule, job.Id);
        }
        catch (JobConflictException ex)
        {
            Log.ScheduledSkipped(_logger, schedule, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ScheduledFailed(_logger, schedule, ex.Message);
        }
    }
}
