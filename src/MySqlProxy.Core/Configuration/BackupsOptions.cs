using Microsoft.Extensions.Configuration;

namespace MySqlProxy.Core.Configuration;

/// <summary>
/// <c>backups</c>: physical backups of the primary (mariadb-backup), binlog archiving for point-in-time recovery,
/// schedules, retention and verification. Off until <c>repository</c> names a place.
/// </summary>
public sealed class BackupsOptions
{
    /// <summary>Where backups and archived binlogs are kept.</summary>
    public BackupRepositoryOptions Repository { get; set; } = new();

    /// <summary>The key every stored object is encrypted with (AES-256-GCM).</summary>
    public BackupEncryptionOptions Encryption { get; set; } = new();

    /// <summary>zstd level (1-22) of stored objects.</summary>
    [ConfigurationKeyName("compression_level")]
    public int CompressionLevel { get; set; } = 3;

    /// <summary>Login mariadb-backup and the binlog archiver use on the primary (needs RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, REPLICATION SLAVE).</summary>
    public string User { get; set; } = "admin";

    public string Password { get; set; } = string.Empty;

    /// <summary>Local scratch space for restores and verifications (prepared datadirs, scratch servers).</summary>
    [ConfigurationKeyName("work_dir")]
    public string WorkDir { get; set; } = "/var/tmp/mysqlproxy-backup-work";

    /// <summary>Cron schedules: <c>{ type: full|incremental|verify, cron: "0 3 * * 0" }</c>.</summary>
    public List<BackupScheduleOptions> Schedules { get; set; } = [];

    public BackupRetentionOptions Retention { get; set; } = new();

    [ConfigurationKeyName("binlog_archive")]
    public BinlogArchiveOptions BinlogArchive { get; set; } = new();

    /// <summary>Where the physical work runs: an agent on the database host; empty url = in this process.</summary>
    public BackupAgentOptions Agent { get; set; } = new();

    /// <summary>True when a repository is configured.</summary>
    public bool IsEnabled() => !string.IsNullOrWhiteSpace(Repository.Path) || !string.IsNullOrWhiteSpace(Repository.S3.Bucket);
}

/// <summary><c>backups.repository</c>: a filesystem directory (<c>path</c>) or an S3 bucket (<c>s3</c>).</summary>
public sealed class BackupRepositoryOptions
{
    /// <summary>A directory on this host (the default store).</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>S3-compatible object storage, used when <c>s3.bucket</c> is set (instead of <c>path</c>).</summary>
    public S3RepositoryOptions S3 { get; set; } = new();
}

/// <summary><c>backups.repository.s3</c>.</summary>
public sealed class S3RepositoryOptions
{
    public string Bucket { get; set; } = string.Empty;

    /// <summary>Key prefix inside the bucket.</summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>Service URL for S3-compatible stores (empty: AWS with <c>region</c>).</summary>
    public string Endpoint { get; set; } = string.Empty;

    public string Region { get; set; } = "us-east-1";

    [ConfigurationKeyName("access_key")]
    public string AccessKey { get; set; } = string.Empty;

    /// <summary>The secret key itself; prefer <c>secret_key_env</c>.</summary>
    [ConfigurationKeyName("secret_key")]
    public string SecretKey { get; set; } = string.Empty;

    /// <summary>Name of an environment variable holding the secret key.</summary>
    [ConfigurationKeyName("secret_key_env")]
    public string SecretKeyEnv { get; set; } = string.Empty;

    /// <summary>Path-style addressing (bucket in the path), as most S3-compatible stores want.</summary>
    [ConfigurationKeyName("force_path_style")]
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Multipart part size in MiB (5-1024).</summary>
    [ConfigurationKeyName("part_size_mb")]
    public int PartSizeMb { get; set; } = 8;
}

/// <summary><c>backups.encryption</c>: a 32-byte key (raw, base64 or hex) in a file or an environment variable.</summary>
public sealed class BackupEncryptionOptions
{
    [ConfigurationKeyName("key_file")]
    public string KeyFile { get; set; } = string.Empty;

    [ConfigurationKeyName("key_env")]
    public string KeyEnv { get; set; } = string.Empty;
}

/// <summary>One scheduled run.</summary>
public sealed class BackupScheduleOptions
{
    /// <summary>full, incremental or verify.</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>Cron expression (5 fields, or 6 with seconds first), evaluated in UTC.</summary>
    public string Cron { get; set; } = string.Empty;
}

/// <summary><c>backups.retention</c>: which full backups (and what depends on them) are kept.</summary>
public sealed class BackupRetentionOptions
{
    /// <summary>Keep the newest N full backups (0: no count limit).</summary>
    [ConfigurationKeyName("full_count")]
    public int FullCount { get; set; }

    /// <summary>Keep what point-in-time recovery to any moment of the last D days needs (0: no age limit).</summary>
    [ConfigurationKeyName("full_days")]
    public int FullDays { get; set; }
}

/// <summary><c>backups.binlog_archive</c>: continuous archiving of the primary's binlogs for point-in-time recovery.</summary>
public sealed class BinlogArchiveOptions
{
    public bool Enabled { get; set; }

    /// <summary>How often closed binlogs are looked for and archived.</summary>
    public Duration Interval { get; set; } = Duration.FromSeconds(30);

    /// <summary>The open binlog is closed (FLUSH BINARY LOGS) when it holds changes older than this, bounding the recovery point (0: never).</summary>
    [ConfigurationKeyName("rotate_after")]
    public Duration RotateAfter { get; set; } = Duration.FromSeconds(300);
}

/// <summary><c>backups.agent</c>: the <c>mysqlproxy agent</c> on the database host that runs the physical work.</summary>
public sealed class BackupAgentOptions
{
    /// <summary>http://host:port of the agent; empty runs the work inside the proxy.</summary>
    public string Url { get; set; } = string.Empty;

    public string Token { get; set; } = string.Empty;
}
