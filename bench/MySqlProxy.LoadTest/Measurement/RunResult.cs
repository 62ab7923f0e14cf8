namespace MySqlProxy.LoadTest.Measurement;

/// <summary>One measured run: one workload against one target in one round.</summary>
internal sealed class RunResult
{
    public required string Workload { get; init; }
    public required string Target { get; init; }
    public int Round { get; init; }

    /// <summary>Position of the target within its round (0: ran first).</summary>
    public int Order { get; init; }

    public int Connections { get; init; }
    public double Seconds { get; set; }
    public long Events { get; set; }
    public long Statements { get; set; }
    public long Errors { get; set; }
    public string? FirstError { get; set; }

    /// <summary>Set when the run could not be done at all (e.g. no connection).</summary>
    public string? Failure { get; set; }

    public double Qps => Seconds > 0 ? Statements / Seconds : 0;
    public double Tps => Seconds > 0 ? Events / Seconds : 0;

    /// <summary>Latency of an event (statement or transaction) in µs.</summary>
    public long P50Us { get; set; }
    public long P95Us { get; set; }
    public long P99Us { get; set; }
    public long P999Us { get; set; }
    public long MaxUs { get; set; }
    public double MeanUs { get; set; }

    /// <summary>Process whose CPU is charged to this target; null when none was given.</summary>
    public int? Pid { get; set; }

    /// <summary>utime of that process during the measured time, µs.</summary>
    public double? CpuUserUs { get; set; }

    /// <summary>stime of that process during the measured time, µs.</summary>
    public double? CpuSystemUs { get; set; }

    public double? CpuUsPerStatement => CpuUserUs is double u && CpuSystemUs is double s && Statements > 0 ? (u + s) / Statements : null;
    public double? UserUsPerStatement => CpuUserUs is double u && Statements > 0 ? u / Statements : null;
    public double? SystemUsPerStatement => CpuSystemUs is double s && Statements > 0 ? s / Statements : null;

    /// <summary>The load generator's own CPU per statement, µs.</summary>
    public double ClientCpuUsPerStatement { get; set; }

    /// <summary>Share of the whole machine's CPU that was busy during the run, 0-1.</summary>
    public double MachineBusy { get; set; }

    /// <summary>1-minute load average when the run started.</summary>
    public double? LoadAverage { get; set; }

    /// <summary>Statements each proxy backend ran during the measured time (from the admin endpoint).</summary>
    public Dictionary<string, long>? BackendStatements { get; set; }

    /// <summary>The proxy's view of its replicas at the end of the run (lag, effective weight), mixed-lag only.</summary>
    public string? ProxyReplicaView { get; set; }

    /// <summary>The lagged replica's Seconds_Behind_Master at the end of the run (mixed-lag).</summary>
    public double? ReplicaLagSeconds { get; set; }
}
