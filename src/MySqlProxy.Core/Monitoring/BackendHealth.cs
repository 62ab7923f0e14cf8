namespace MySqlProxy.Core.Monitoring;

/// <summary>What the monitor knows about one backend at its last check. Immutable; replaced as a whole.</summary>
public sealed record BackendHealth
{
    /// <summary>Nothing known yet: counted as up until the first checks say otherwise, so start-up is not blocked.</summary>
    public static readonly BackendHealth Unknown = new() { IsUp = true };

    /// <summary>Reachable and answering (after the hysteresis of failed/good checks).</summary>
    public bool IsUp { get; init; }

    /// <summary>Both replication threads run (replicas only).</summary>
    public bool Replicating { get; init; }

    /// <summary>Replication is configured on this server.</summary>
    public bool IsReplica { get; init; }

    /// <summary>What it has applied: gtid_slave_pos on a replica, gtid_binlog_pos on the primary.</summary>
    public GtidPosition Position { get; init; } = GtidPosition.Empty;

    /// <summary>Seconds_Behind_Master as the server reports it (null when replication is stopped).</summary>
    public double? SecondsBehindMaster { get; init; }

    /// <summary>
    /// Replication lag measured from the proxy's heartbeat (null: unknown, which counts as too much:
    /// replication stopped or broken, or no heartbeat seen yet). Always 0 on the primary.
    /// </summary>
    public TimeSpan? Lag { get; init; }

    /// <summary>The lag smoothed over recent checks (exponential moving average); balancing uses this one.</summary>
    public TimeSpan? SmoothedLag { get; init; }

    /// <summary>The last error, for operators.</summary>
    public string? Error { get; init; }

    public DateTime CheckedAt { get; init; }
}
