using Microsoft.Extensions.Configuration;

namespace MySqlProxy.Core.Configuration;

/// <summary>
/// <c>replica_setup</c>: how <c>POST /api/replicas</c> sets up a new replica. The proxy logs in to the primary and
/// to the new server as <see cref="User"/> (a request may name another login for the new server, as on a managed
/// server), and the new replica replicates as <see cref="ReplicationUser"/>, created on the primary with
/// REPLICATION SLAVE only when it is missing.
/// </summary>
public sealed class ReplicaSetupOptions
{
    /// <summary>
    /// Administrative login on the primary and the new server: reads the primary's data and GTID position
    /// (SELECT, SHOW VIEW, TRIGGER, EVENT, RELOAD for BACKUP STAGE, BINLOG MONITOR, CREATE USER to add the
    /// replication user) and loads the new server (ALL with GRANT OPTION there).
    /// </summary>
    public string User { get; set; } = "admin";

    public string Password { get; set; } = string.Empty;

    /// <summary>The login new replicas replicate with (CHANGE MASTER TO MASTER_USER).</summary>
    [ConfigurationKeyName("replication_user")]
    public string ReplicationUser { get; set; } = "repl";

    [ConfigurationKeyName("replication_password")]
    public string ReplicationPassword { get; set; } = string.Empty;

    /// <summary>Scratch space for a physical seed (the streamed backup is extracted and prepared here).</summary>
    [ConfigurationKeyName("work_dir")]
    public string WorkDir { get; set; } = "/var/tmp/mysqlproxy-replica-work";

    /// <summary>Tables copied at once by a logical seed (each with its own connection on both servers).</summary>
    public int Parallel { get; set; } = 4;

    /// <summary>How long a new replica may take to catch up (lag under max_replica_lag) before the job fails.</summary>
    [ConfigurationKeyName("catch_up_timeout")]
    public Duration CatchUpTimeout { get; set; } = Duration.FromSeconds(600);

    /// <summary>Never prints the passwords.</summary>
    public override string ToString() => $"user {User}, replication user {ReplicationUser}";
}
