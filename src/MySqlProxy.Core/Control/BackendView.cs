using MySqlProxy.Core.Backends;

namespace MySqlProxy.Core.Control;

/// <summary>A backend as operators see it: configuration, run-time settings, health, lag and load.</summary>
public sealed record BackendView(
    string Name,
    string Role,
    string Host,
    int Port,
    BackendState State,
    bool Up,
    bool? Replicating,
    double? LagMs,
    double? SmoothedLagMs,
    double? SecondsBehindMaster,
    int Weight,
    double EffectiveWeight,
    double? MaxLagMs,
    int ConnectionsOpen,
    int ConnectionsInUse,
    long Statements,
    long Errors,
    string GtidPosition,
    string? Error)
{
    /// <summary>A replica that answers but is not (yet) replicating within its lag limit: it gets no reads until it is.</summary>
    public bool CatchingUp { get; init; }
}

/// <summary>
/// A backend's statement counters for metrics: statements by route (write, read, read_on_primary, pinned,
/// hint), a latency histogram (counts per bucket, not cumulative, the last above every bound) and the waits
/// for a free pooled connection.
/// </summary>
public sealed record BackendStatementStats(
    string Name,
    IReadOnlyDictionary<string, long> Routed,
    IReadOnlyList<double> BucketBounds,
    IReadOnlyList<long> Buckets,
    double SumSeconds,
    long BorrowWaits,
    double BorrowWaitSeconds);
