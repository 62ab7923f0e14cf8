namespace MySqlProxy.Admin.Backups;

/// <summary>Body of <c>POST /api/backups</c>.</summary>
internal sealed class BackupBody
{
    /// <summary>full or incremental.</summary>
    public string? Type { get; set; }
}

/// <summary>Body of <c>POST /api/backups/archive</c>.</summary>
internal sealed class ArchiveBody
{
    /// <summary>Close the open binlog first (FLUSH BINARY LOGS) so that everything up to now is archived.</summary>
    public bool Rotate { get; set; } = true;
}

/// <summary>Body of <c>POST /api/restores</c>.</summary>
internal sealed class RestoreBody
{
    /// <summary>A backup label (default: the newest; with time or gtid: the base to replay from).</summary>
    public string? Backup { get; set; }

    /// <summary>Point in time to recover to (ISO 8601), inside the binlog archive.</summary>
    public DateTimeOffset? Time { get; set; }

    /// <summary>GTID to recover to, inclusive (domain-server-sequence).</summary>
    public string? Gtid { get; set; }

    /// <summary>A new, empty directory for the restored datadir.</summary>
    public string? TargetDir { get; set; }

    /// <summary>Start the restored server on 127.0.0.1:port and leave it running.</summary>
    public int? Port { get; set; }

    /// <summary>Allow a non-empty target_dir (its content is moved aside).</summary>
    public bool Force { get; set; }
}
