using Microsoft.Extensions.Configuration;

namespace MySqlProxy.Core.Configuration;

/// <summary>The whole of proxy.yaml, bound from configuration (file, environment, command line).</summary>
public sealed class ProxyOptions
{
    /// <summary>The configuration section root; the file's keys bind at the top level.</summary>
    public const string SectionName = "";

    public ListenOptions Listen { get; set; } = new();

    public AdminOptions Admin { get; set; } = new();

    public BackendsOptions Backends { get; set; } = new();

    public List<UserOptions> Users { get; set; } = [];

    public MonitorOptions Monitor { get; set; } = new();

    /// <summary>Replica set-up through the admin endpoint (POST /api/replicas).</summary>
    [ConfigurationKeyName("replica_setup")]
    public ReplicaSetupOptions ReplicaSetup { get; set; } = new();

    public RoutingOptions Routing { get; set; } = new();

    public SessionOptions Sessions { get; set; } = new();

    public PoolOptions Pool { get; set; } = new();

    public BackupsOptions Backups { get; set; } = new();
}

/// <summary><c>pool</c>: backend connections shared by client sessions.</summary>
public sealed class PoolOptions
{
    /// <summary>Most connections the proxy opens to one backend, all users together.</summary>
    [ConfigurationKeyName("max_per_backend")]
    public int MaxPerBackend { get; set; } = 64;

    /// <summary>An idle pooled connection older than this is closed.</summary>
    [ConfigurationKeyName("idle_timeout")]
    public Duration IdleTimeout { get; set; } = Duration.FromSeconds(60);

    /// <summary>How long a statement waits for a connection when the pool is exhausted, before it gets an error.</summary>
    [ConfigurationKeyName("borrow_timeout")]
    public Duration BorrowTimeout { get; set; } = Duration.FromSeconds(5);

    /// <summary>A connection idle for longer than this is pinged before it is used.</summary>
    [ConfigurationKeyName("ping_after_idle")]
    public Duration PingAfterIdle { get; set; } = Duration.FromSeconds(5);

    /// <summary>Most prepared statements kept on one backend connection; the least recently used is closed beyond it.</summary>
    [ConfigurationKeyName("max_prepared_per_connection")]
    public int MaxPreparedPerConnection { get; set; } = 256;
}

/// <summary><c>listen</c>: where the proxy accepts connections.</summary>
public sealed class ListenOptions
{
    /// <summary>host:port for MySQL clients.</summary>
    public string Mysql { get; set; } = "127.0.0.1:6033";

    /// <summary>host:port of the HTTP admin endpoint.</summary>
    public string Admin { get; set; } = "127.0.0.1:6080";
}

/// <summary><c>admin</c>: the HTTP admin endpoint.</summary>
public sealed class AdminOptions
{
    /// <summary>Bearer token every admin path but /healthz and /readyz requires.</summary>
    public string Token { get; set; } = string.Empty;
}

/// <summary><c>backends</c>: the primary and its replicas.</summary>
public sealed class BackendsOptions
{
    public BackendOptions Primary { get; set; } = new();

    public List<BackendOptions> Replicas { get; set; } = [];

    /// <summary>How long opening a backend connection may take.</summary>
    [ConfigurationKeyName("connect_timeout")]
    public Duration ConnectTimeout { get; set; } = Duration.FromSeconds(5);
}

/// <summary>One backend server.</summary>
public sealed class BackendOptions
{
    public string Name { get; set; } = string.Empty;

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 3306;

    /// <summary>Share of reads relative to the other replicas (0-1000).</summary>
    public int Weight { get; set; } = 100;

    public override string ToString() => $"{Name} ({Host}:{Port})";
}

/// <summary>A login the proxy accepts from clients and uses on backends.</summary>
public sealed class UserOptions
{
    public string User { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    /// <summary>Never prints the password.</summary>
    public override string ToString() => User;
}

/// <summary><c>monitor</c>: the proxy's own health and lag checks.</summary>
public sealed class MonitorOptions
{
    public string User { get; set; } = "monitor";

    public string Password { get; set; } = string.Empty;

    public Duration Interval { get; set; } = Duration.FromMilliseconds(250);
}

/// <summary>Where reads go when no replica is usable.</summary>
public enum ReadsOnPrimary
{
    /// <summary>Reads go to the primary only when no replica is eligible.</summary>
    Fallback,

    /// <summary>The primary serves reads along with the replicas.</summary>
    Always,

    /// <summary>Reads never go to the primary: with no eligible replica the client gets an error.</summary>
    Never,
}

/// <summary><c>routing</c>: read/write splitting.</summary>
public sealed class RoutingOptions
{
    [ConfigurationKeyName("max_replica_lag")]
    public Duration MaxReplicaLag { get; set; } = Duration.FromSeconds(2);

    [ConfigurationKeyName("read_your_writes")]
    public bool ReadYourWrites { get; set; } = true;

    [ConfigurationKeyName("reads_on_primary")]
    public ReadsOnPrimary ReadsOnPrimary { get; set; } = ReadsOnPrimary.Fallback;

    /// <summary>Lag up to which a replica keeps its full weight; from here to max_replica_lag its share falls smoothly to 0.</summary>
    [ConfigurationKeyName("lag_floor")]
    public Duration LagFloor { get; set; } = Duration.FromMilliseconds(100);

    /// <summary>
    /// Minimum serving set: when fewer replicas than this are within max_replica_lag, the least-lagged ones up
    /// to this many keep serving reads while their lag is under hard_replica_lag, instead of every read
    /// falling on the primary at once. 0 turns it off.
    /// </summary>
    [ConfigurationKeyName("min_serving_replicas")]
    public int MinServingReplicas { get; set; }

    /// <summary>The lag beyond which no replica serves reads, minimum serving set or not.</summary>
    [ConfigurationKeyName("hard_replica_lag")]
    public Duration HardReplicaLag { get; set; } = Duration.FromSeconds(30);

    /// <summary>Query rules, evaluated in order; the first that matches decides (a comment hint still wins).</summary>
    public List<RuleOptions> Rules { get; set; } = [];
}

/// <summary>
/// One query rule: statements matching <see cref="Match"/> (a regular expression) or <see cref="Digest"/>
/// (a statement whose shape, values aside, is the same), optionally only for a user or a schema, go where
/// <see cref="Route"/> says.
/// </summary>
public sealed class RuleOptions
{
    /// <summary>A regular expression matched against the statement text (case-insensitive).</summary>
    public string? Match { get; set; }

    /// <summary>An example statement or its normalized digest text: statements of the same shape match.</summary>
    public string? Digest { get; set; }

    /// <summary>Only for this user.</summary>
    public string? User { get; set; }

    /// <summary>Only when this is the session's schema.</summary>
    public string? Schema { get; set; }

    /// <summary>primary, replica, or a backend name.</summary>
    public string Route { get; set; } = string.Empty;

    public override string ToString() => $"{Match ?? Digest} -> {Route}";
}

/// <summary><c>sessions</c>: client connections.</summary>
public sealed class SessionOptions
{
    /// <summary>Most client connections at once; further ones get ERR 1040.</summary>
    [ConfigurationKeyName("max_connections")]
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>How long in-flight statements may run on after SIGTERM before their sessions are cut.</summary>
    [ConfigurationKeyName("shutdown_timeout")]
    public Duration ShutdownTimeout { get; set; } = Duration.FromSeconds(30);
}
