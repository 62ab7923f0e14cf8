namespace MySqlProxy.LoadTest;

/// <summary>A named endpoint the load is sent to, e.g. <c>proxy=127.0.0.1:6033</c>.</summary>
internal sealed record TargetSpec(string Name, string Host, int Port)
{
    public override string ToString() => $"{Name}={Host}:{Port}";
}

/// <summary>A host and port without a name (primary, replicas).</summary>
internal sealed record Endpoint(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>A workload to run, with its own duration or count when it differs from the default.</summary>
internal sealed record WorkloadSpec(string Name, TimeSpan? Duration);

/// <summary>How the mixed-lag workload makes one replica lag.</summary>
internal enum LagMode
{
    /// <summary><c>CHANGE MASTER TO MASTER_DELAY = n</c>: the replica applies each event n seconds late.</summary>
    Delay,

    /// <summary><c>STOP SLAVE SQL_THREAD</c>: the replica applies nothing until it is restarted.</summary>
    Stop,
}

/// <summary>Everything the command line can set; see <see cref="OptionParser"/> for the syntax.</summary>
internal sealed class LoadTestOptions
{
    public static readonly string[] KnownWorkloads = ["point-select", "read-only-tx", "read-write", "mixed-lag"];

    public List<WorkloadSpec> Workloads { get; } = [];
    public List<TargetSpec> Targets { get; } = [];

    /// <summary>Process ids whose CPU (and RSS) is charged to a target, by target name.</summary>
    public Dictionary<string, int> Pids { get; } = new(StringComparer.Ordinal);

    public int Connections { get; set; } = 8;
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Events (transactions, or statements for point-select) per run instead of a duration.</summary>
    public long? Count { get; set; }

    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(2);
    public int Rounds { get; set; } = 3;

    /// <summary>Start each round with the next target, so that no target always runs first.</summary>
    public bool Rotate { get; set; } = true;

    public string User { get; set; } = "app";
    public string Password { get; set; } = "app";
    public string Database { get; set; } = "app";
    public string AdminUser { get; set; } = "admin";
    public string AdminPassword { get; set; } = "admin";

    /// <summary>Create and fill the sbtest tables on the primary before the runs.</summary>
    public bool Prepare { get; set; }

    /// <summary>Binary protocol (COM_STMT_PREPARE once per connection, COM_STMT_EXECUTE per statement).</summary>
    public bool Prepared { get; set; }

    public int Tables { get; set; } = 1;
    public int TableSize { get; set; } = 10_000;

    /// <summary>The primary for --prepare and writes to wait on; defaults to the target named "direct".</summary>
    public Endpoint? Primary { get; set; }

    public List<Endpoint> Replicas { get; } = [];

    public string? JsonPath { get; set; }
    public string? MarkdownPath { get; set; }

    /// <summary>Idle-memory mode: open this many idle logged-in connections per target and read the RSS.</summary>
    public int? Idle { get; set; }

    public TimeSpan IdleSettle { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The replica mixed-lag makes lag; defaults to the first of --replicas.</summary>
    public Endpoint? LagReplica { get; set; }

    public LagMode LagMode { get; set; } = LagMode.Delay;
    public int LagDelaySeconds { get; set; } = 1;

    /// <summary>Share of mixed-lag events that are writes.</summary>
    public int WritePercent { get; set; } = 10;

    /// <summary>mixed-lag: this many connections only write, the others only read (0: all mix).</summary>
    public int Writers { get; set; }

    /// <summary>The proxy's admin endpoint (http://host:port) for per-backend statement counts.</summary>
    public Uri? ProxyAdminUrl { get; set; }

    public string ProxyAdminToken { get; set; } = "change-me";

    /// <summary>Name of the target the proxy's admin endpoint belongs to.</summary>
    public string ProxyTargetName { get; set; } = "proxy";

    public int Seed { get; set; } = 42;

    public string? Title { get; set; }

    /// <summary>Free text put under the title of the markdown report (e.g. machine notes).</summary>
    public List<string> Notes { get; } = [];

    public bool Help { get; set; }

    public Endpoint EffectivePrimary
    {
        get
        {
            if (Primary is not null) return Primary;
            TargetSpec? direct = Targets.Find(t => t.Name == "direct");
            return direct is not null ? new Endpoint(direct.Host, direct.Port) : new Endpoint("127.0.0.1", 13306);
        }
    }

    public Endpoint? EffectiveLagReplica => LagReplica ?? (Replicas.Count > 0 ? Replicas[0] : null);
}
