namespace MySqlProxy.Operations.Backups.Engine;

/// <summary>
/// A restore: to a backup (<see cref="Backup"/>, default the newest), or to a <see cref="Time"/> or
/// <see cref="Gtid"/> inside the binlog archive, into <see cref="TargetDir"/> (a new, empty datadir); with a
/// <see cref="Port"/> the restored server is started there and left running.
/// </summary>
public sealed record RestoreRequest
{
    public string? Backup { get; init; }

    public DateTimeOffset? Time { get; init; }

    public string? Gtid { get; init; }

    public string TargetDir { get; init; } = string.Empty;

    public int? Port { get; init; }

    /// <summary>Allows a non-empty target directory (its content is moved aside, never deleted).</summary>
    public bool Force { get; init; }
}
