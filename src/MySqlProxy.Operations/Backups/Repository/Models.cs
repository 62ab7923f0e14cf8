using System.Text.Json;
using System.Text.Json.Serialization;

namespace MySqlProxy.Operations.Backups.Repository;

/// <summary>full or incremental.</summary>
public enum BackupType
{
    Full,
    Incremental,
}

/// <summary>
/// One backup as its manifest (<c>backup/&lt;label&gt;/backup.manifest</c>) and the index record it: what it
/// is, where it starts (LSN, GTID, binlog position), what it depends on, every object with size and SHA-256,
/// and each verification's result.
/// </summary>
public sealed record BackupRecord
{
    public required string Label { get; init; }

    public required BackupType Type { get; init; }

    /// <summary>The backup an incremental applies on (null for a full).</summary>
    public string? Parent { get; init; }

    /// <summary>The full backup the chain starts from (itself for a full).</summary>
    public required string Full { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset StoppedAt { get; init; }

    public long FromLsn { get; init; }

    public long ToLsn { get; init; }

    /// <summary>GTID position of the last change in the backup (mariadb_backup_binlog_info).</summary>
    public string Gtid { get; init; } = string.Empty;

    public string BinlogFile { get; init; } = string.Empty;

    public long BinlogPosition { get; init; }

    public string ServerVersion { get; init; } = string.Empty;

    /// <summary>Bytes mariadb-backup produced.</summary>
    public long RawBytes { get; init; }

    /// <summary>Bytes stored (compressed and encrypted).</summary>
    public long StoredBytes { get; init; }

    public string Compression { get; init; } = "zstd";

    public string Cipher { get; init; } = "aes-256-gcm-chunked";

    public string KeyId { get; init; } = string.Empty;

    public IReadOnlyList<StoredObject> Objects { get; init; } = [];

    /// <summary>Restore tests of this backup, the newest last.</summary>
    public IReadOnlyList<VerificationResult> Verifications { get; init; } = [];

    /// <summary>CHECKSUM TABLE values found by the first successful verification, compared by later ones.</summary>
    public IReadOnlyDictionary<string, long?> Checksums { get; init; } = new Dictionary<string, long?>();

    /// <summary>unverified, verified or failed (the last verification's outcome).</summary>
    [JsonIgnore]
    public string VerifiedState => Verifications.Count == 0 ? "unverified" : Verifications[^1].Ok ? "verified" : "failed";
}

/// <summary>One stored object: its key, stored size and SHA-256, and the size before compression.</summary>
public sealed record StoredObject(string Key, long Size, string Sha256, long RawSize);

/// <summary>A restore test's outcome.</summary>
public sealed record VerificationResult(DateTimeOffset At, bool Ok, string Message, int Tables, bool? ChecksumsMatch, string? JobId);

/// <summary>backup.info: every complete backup, oldest first.</summary>
public sealed record BackupIndex
{
    public int Version { get; init; } = 1;

    public IReadOnlyList<BackupRecord> Backups { get; init; } = [];
}

/// <summary>One archived binlog file.</summary>
public sealed record ArchivedBinlog
{
    public required string Name { get; init; }

    public required long ServerId { get; init; }

    public required StoredObject Stored { get; init; }

    /// <summary>GTID state at the start of the file (its Gtid_list event).</summary>
    public string StartState { get; init; } = string.Empty;

    public string? FirstGtid { get; init; }

    public string? LastGtid { get; init; }

    public DateTimeOffset? FirstTime { get; init; }

    /// <summary>Time of the file's last event (its rotation): everything up to here is archived.</summary>
    public DateTimeOffset? LastTime { get; init; }

    public int Transactions { get; init; }
}

/// <summary>archive.info: archived binlogs in order.</summary>
public sealed record ArchiveIndex
{
    public int Version { get; init; } = 1;

    public IReadOnlyList<ArchivedBinlog> Files { get; init; } = [];

    /// <summary>The newest binlog ever archived (kept when retention expires it), so an emptied archive does not start over.</summary>
    public string? LastArchived { get; init; }

    /// <summary>The GTID state at the end of <see cref="LastArchived"/>.</summary>
    public string? LastEndState { get; init; }
}

/// <summary>The JSON of manifests and index files.</summary>
internal static class RepositoryJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
