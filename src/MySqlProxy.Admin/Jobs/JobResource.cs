using System.Text.Json.Serialization;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Admin.Jobs;

/// <summary>
/// A job as <c>GET /api/jobs/{id}</c> shows it (the DESIGN contract: id, kind, state, step, percent, bytes,
/// error), with the rate, ETA, times, what was asked, the result and the job's log.
/// </summary>
/// <param name="Id">The job's id.</param>
/// <param name="Kind">backup, verify, restore, replica-setup, ...</param>
/// <param name="State">queued, running, succeeded, failed or cancelled.</param>
/// <param name="Step">The step running now, or the last one.</param>
/// <param name="Percent">0-100 when the size of the work is known.</param>
/// <param name="Bytes">Bytes moved in the current step.</param>
/// <param name="TotalBytes">Bytes the current step will move, when known.</param>
/// <param name="BytesPerSecond">Rate of the current step.</param>
/// <param name="EtaSeconds">Seconds left in the current step at the current rate.</param>
/// <param name="Error">Why it failed, or null.</param>
/// <param name="FailedStep">The step at which it failed or was cancelled.</param>
/// <param name="CreatedAt">When it was asked for.</param>
/// <param name="StartedAt">When it started running.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="Parameters">What was asked.</param>
/// <param name="Result">What it produced (a backup's id and manifest, a replica's name, ...).</param>
/// <param name="Log">Its log lines.</param>
internal sealed record JobResource(
    string Id,
    string Kind,
    string State,
    string Step,
    double? Percent,
    long Bytes,
    long? TotalBytes,
    double? BytesPerSecond,
    double? EtaSeconds,
    string? Error,
    string? FailedStep,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyDictionary<string, string> Parameters,
    object? Result,
    IReadOnlyList<JobLogLine> Log)
{
    public static JobResource From(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        JobSnapshot s = job.Snapshot();
        return new JobResource(
            s.Id, s.Kind, s.State.ToContractString(), s.Step, s.Percent is { } p ? Math.Round(p, 1) : null, s.Bytes, s.TotalBytes,
            s.BytesPerSecond is { } r ? Math.Round(r) : null, s.Eta is { } e ? Math.Round(e.TotalSeconds, 1) : null,
            s.Error, s.FailedStep, s.CreatedAt, s.StartedAt, s.FinishedAt, s.Parameters, s.Result, s.Log);
    }
}

/// <summary>The answer to a request that started long work: <c>202 Accepted</c> with the job's id and where to watch it.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Location">Its path, <c>/api/jobs/{id}</c>.</param>
internal sealed record JobAccepted(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("location")] string Location)
{
    public static JobAccepted For(Job job) => new(job.Id, JobsApi.PathOf(job));
}
