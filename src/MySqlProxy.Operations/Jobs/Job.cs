using System.Diagnostics;

namespace MySqlProxy.Operations.Jobs;

/// <summary>
/// One piece of long work (a backup, a verification, a restore, a replica set-up): its state, the step it is
/// on, how many bytes it moved out of how many, and how it ended. The work reports through
/// <see cref="SetStep"/>, <see cref="SetTotal"/>, <see cref="AddBytes"/> and <see cref="Log"/>; readers take a
/// consistent <see cref="Snapshot"/>. Thread-safe.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The token source has no timer and its wait handle is never taken; it lives as long as the job is listed.")]
public sealed class Job
{
    private const int MaxLogLines = 200;

    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _cancel = new();
    private readonly TimeProvider _time;
    private readonly List<JobLogLine> _log = [];
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private JobState _state = JobState.Queued;
    private string _step = "queued";
    private long _bytes;
    private long? _totalBytes;
    private double? _percent;
    private string? _error;
    private string? _failedStep;
    private object? _result;
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _finishedAt;
    private long _startTimestamp;

    internal Job(string id, string kind, string? chain, IReadOnlyDictionary<string, string> parameters, TimeProvider time)
    {
        Id = id;
        Kind = kind;
        Chain = chain;
        Parameters = parameters;
        _time = time;
        CreatedAt = time.GetUtcNow();
    }

    /// <summary>The job's id: its kind, the UTC time it was created and a random suffix (sorts by time).</summary>
    public string Id { get; }

    /// <summary>backup, verify, restore, replica-setup, ...</summary>
    public string Kind { get; }

    /// <summary>Jobs with the same chain never run at the same time (null: no such limit).</summary>
    public string? Chain { get; }

    /// <summary>What was asked (no secrets), shown with the job.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>Cancelled when an operator cancels the job or the proxy stops.</summary>
    public CancellationToken CancellationToken => _cancel.Token;

    /// <summary>Completes when the job has ended (never faults).</summary>
    public Task Finished => _finished.Task;

    public JobState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Names the step now running; it is what a failure will name.</summary>
    public void SetStep(string step)
    {
        ArgumentException.ThrowIfNullOrEmpty(step);
        lock (_lock)
        {
            _step = step;
        }

        Log(step);
    }

    /// <summary>The size of the work in bytes when known (gives percent, rate and ETA); resets the count.</summary>
    public void SetTotal(long? totalBytes, bool resetBytes = true)
    {
        lock (_lock)
        {
            _totalBytes = totalBytes;
            if (resetBytes)
            {
                _bytes = 0;
                _startTimestamp = Stopwatch.GetTimestamp();
            }

            _percent = totalBytes is > 0 ? 0 : _percent;
        }
    }

    /// <summary>Counts bytes moved.</summary>
    public void AddBytes(long count)
    {
        lock (_lock)
        {
            _bytes += count;
            if (_totalBytes is > 0 and long total)
            {
                _percent = Math.Min(100.0, 100.0 * _bytes / total);
            }
        }
    }

    /// <summary>Sets the percentage directly, for work measured otherwise than in bytes.</summary>
    public void SetPercent(double percent)
    {
        lock (_lock)
        {
            _percent = Math.Clamp(percent, 0, 100);
        }
    }

    /// <summary>Adds a line to the job's log (the last 200 are kept).</summary>
    public void Log(string message)
    {
        lock (_lock)
        {
            if (_log.Count == MaxLogLines)
            {
                _log.RemoveAt(0);
            }

            _log.Add(new JobLogLine(_time.GetUtcNow(), message));
        }
    }

    /// <summary>Asks the job to stop; it ends as cancelled once its work notices.</summary>
    public bool Cancel()
    {
        lock (_lock)
        {
            if (_state.IsFinished())
            {
                return false;
            }
        }

        _cancel.Cancel();
        return true;
    }

    /// <summary>A consistent copy of the job's state.</summary>
    public JobSnapshot Snapshot()
    {
        lock (_lock)
        {
            double? rate = null;
            TimeSpan? eta = null;
            if (_state == JobState.Running && _startTimestamp != 0)
            {
                double seconds = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
                if (seconds > 0.5 && _bytes > 0)
                {
                    rate = _bytes / seconds;
                    if (_totalBytes is > 0 and long total && total > _bytes)
                    {
                        eta = TimeSpan.FromSeconds((total - _bytes) / rate.Value);
                    }
                }
            }

            return new JobSnapshot(
                Id, Kind, _state, _step, _percent, _bytes, _totalBytes, rate, eta, _error, _failedStep,
                CreatedAt, _startedAt, _finishedAt, Parameters, _result, [.. _log]);
        }
    }

    internal void MarkRunning()
    {
        lock (_lock)
        {
            _state = JobState.Running;
            _startedAt = _time.GetUtcNow();
            _startTimestamp = Stopwatch.GetTimestamp();
            _step = "starting";
        }
    }

    internal void Finish(JobState state, object? result, string? error)
    {
        lock (_lock)
        {
            _state = state;
            _result = result;
            _finishedAt = _time.GetUtcNow();
            if (state == JobState.Succeeded)
            {
                _percent = 100;
                _step = "done";
            }
            else
            {
                _failedStep = _step;
                _error = error;
            }
        }

        Log(state == JobState.Succeeded ? "succeeded" : $"{state.ToContractString()}: {error}");
        _finished.TrySetResult();
    }
}

/// <summary>A line of a job's log.</summary>
public sealed record JobLogLine(DateTimeOffset At, string Message);

/// <summary>A job as the admin endpoint and the command line show it.</summary>
public sealed record JobSnapshot(
    string Id,
    string Kind,
    JobState State,
    string Step,
    double? Percent,
    long Bytes,
    long? TotalBytes,
    double? BytesPerSecond,
    TimeSpan? Eta,
    string? Error,
    string? FailedStep,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyDictionary<string, string> Parameters,
    object? Result,
    IReadOnlyList<JobLogLine> Log);
