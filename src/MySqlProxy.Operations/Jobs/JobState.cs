namespace MySqlProxy.Operations.Jobs;

/// <summary>Where a job is in its life: queued, running, then one of the three ends.</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>Helpers on <see cref="JobState"/>.</summary>
public static class JobStates
{
    /// <summary>True for succeeded, failed and cancelled.</summary>
    public static bool IsFinished(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>The contract's lower-case spelling (queued, running, succeeded, failed, cancelled).</summary>
    public static string ToContractString(this JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
