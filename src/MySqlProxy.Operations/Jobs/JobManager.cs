using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using MySqlProxy.Operations.Diagnostics;

namespace MySqlProxy.Operations.Jobs;

/// <summary>
/// Runs long work as tracked jobs (<c>GET /api/jobs/{id}</c>): each job runs in the background, reports its
/// step, bytes and percent, can be cancelled, and ends succeeded, failed (naming the step) or cancelled. Two
/// jobs of the same chain never run at once: the second is refused with <see cref="JobConflictException"/>.
/// Finished jobs are kept for <see cref="History"/> (the newest 500), with counts per kind and outcome.
/// </summary>
public sealed class JobManager : IAsyncDisposable
{
    private const int KeepFinished = 500;

    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Kind, JobState State), long> _counts = new();
    private readonly Lock _lock = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private bool _stopping;

    public JobManager(ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Starts <paramref name="work"/> as a job and returns it at once (queued, about to run). The work's return
    /// value becomes the job's result. A <see cref="JobFailedException"/>'s message becomes the job's error as
    /// it is; an <see cref="OperationCanceledException"/> after <see cref="Job.Cancel"/> ends it as cancelled.
    /// Throws <see cref="JobConflictException"/> when a job of the same <paramref name="chain"/> is active.
    /// </summary>
    public Job Start(string kind, string? chain, IReadOnlyDictionary<string, string>? parameters, Func<Job, Task<object?>> work)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(work);
        Job job;
        lock (_lock)
        {
            if (_stopping)
            {
                throw new JobConflictException("the proxy is stopping; no new jobs are started");
            }

            if (chain is not null && Active().FirstOrDefault(j => j.Chain == chain) is { } running)
            {
                throw new JobConflictException($"job {running.Id} ({running.Kind}) of the same chain '{chain}' is still {running.State.ToContractString()}; a run never overlaps another of its chain");
            }

            job = new Job(NewId(kind), kind, chain, parameters ?? new Dictionary<string, string>(), _time);
            _jobs[job.Id] = job;
        }

        Trim();
        _ = Task.Run(() => RunAsync(job, work));
        return job;
    }

    /// <summary>One job by id, or null.</summary>
    public Job? Find(string id) => _jobs.TryGetValue(id, out Job? job) ? job : null;

    /// <summary>Every known job, the newest first.</summary>
    public IReadOnlyList<Job> History() => [.. _jobs.Values.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id, StringComparer.Ordinal)];

    /// <summary>Jobs queued or running.</summary>
    public IEnumerable<Job> Active() => _jobs.Values.Where(j => !j.State.IsFinished());

    /// <summary>How many jobs of each kind ended in each state since the start (for metrics).</summary>
    public IReadOnlyDictionary<(string Kind, JobState State), long> Counts() => new Dictionary<(string, JobState), long>(_counts);

    /// <summary>Cancels every active job and waits for them to end (up to <paramref name="timeout"/>).</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        Job[] active;
        lock (_lock)
        {
            _stopping = true;
            active = [.. Active()];
        }

        foreach (Job job in active)
        {
            job.Cancel();
        }

        await Task.WhenAny(Task.WhenAll(active.Select(j => j.Finished)), Task.Delay(timeout)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);

    private async Task RunAsync(Job job, Func<Job, Task<object?>> work)
    {
        job.MarkRunning();
        Log.JobStarted(_logger, job.Id, job.Kind);
        JobState state;
        object? result = null;
        string? error = null;
        try
        {
            result = await work(job).ConfigureAwait(false);
            state = JobState.Succeeded;
        }
        catch (OperationCanceledException) when (job.CancellationToken.IsCancellationRequested)
        {
            state = JobState.Cancelled;
            error = "cancelled";
        }
        catch (JobFailedException ex)
        {
            state = JobState.Failed;
            error = ex.Message;
        }
        catch (Exception ex)
        {
            state = JobState.Failed;
            error = $"{ex.GetType().Name}: {ex.Message}";
        }

        string step = job.Snapshot().Step;
        job.Finish(state, result, error);
        _counts.AddOrUpdate((job.Kind, state), 1, (_, n) => n + 1);
        if (state == JobState.Succeeded)
        {
            Log.JobSucceeded(_logger, job.Id, job.Kind);
        }
        else
        {
            Log.JobEnded(_logger, job.Id, job.Kind, state.ToContractString(), step, error ?? string.Empty);
        }
    }

    private string NewId(string kind) =>
        $"{kind}-{_time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    private void Trim()
    {
        Job[] finished = [.. _jobs.Values.Where(j => j.State.IsFinished()).OrderBy(j => j.CreatedAt)];
        for (int i = 0; i < finished.Length - KeepFinished; i++)
        {
            _jobs.TryRemove(finished[i].Id, out _);
        }
    }
}
