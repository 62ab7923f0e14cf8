using System.Text.Json.Serialization;
using MySqlProxy.LoadTest.Measurement;

namespace MySqlProxy.LoadTest.Reporting;

/// <summary>Everything one invocation measured, as written to --json and --markdown.</summary>
internal sealed class LoadTestReport
{
    public string? Title { get; set; }
    public List<string> Notes { get; } = [];
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    public string CommandLine { get; set; } = string.Empty;
    public int ProcessorCount { get; set; } = Environment.ProcessorCount;
    public string Runtime { get; set; } = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
    public double? LoadAverageStart { get; set; }
    public double? LoadAverageEnd { get; set; }
    public long ClockTicksPerSecond { get; set; } = ProcFs.ClockTicksPerSecond;
    public List<string> Targets { get; } = [];
    public Dictionary<string, int> Pids { get; } = new(StringComparer.Ordinal);
    public List<WorkloadReport> Workloads { get; } = [];
    public List<IdleResult> Idle { get; } = [];
}

/// <summary>One workload: how it ran, every run, and the per-target summary.</summary>
internal sealed class WorkloadReport
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    public int Connections { get; init; }
    public bool Prepared { get; init; }
    public int Rounds { get; init; }
    public double DurationSeconds { get; init; }
    public long? Count { get; init; }
    public double WarmupSeconds { get; init; }
    public int Tables { get; init; }
    public int TableSize { get; init; }
    public string? Lag { get; set; }
    public List<RunResult> Runs { get; } = [];
    public List<TargetSummary> Summary { get; set; } = [];
}

/// <summary>Idle memory of one target's serving process with N idle logged-in connections.</summary>
internal sealed class IdleResult
{
    public required string Target { get; init; }
    public int? Pid { get; init; }
    public int Connections { get; set; }
    [JsonPropertyName("rss_before_kib")]
    public long? RssBeforeKiB { get; set; }

    [JsonPropertyName("rss_after_kib")]
    public long? RssAfterKiB { get; set; }

    [JsonPropertyName("kib_per_connection")]
    public double? KiBPerConnection => RssBeforeKiB is long b && RssAfterKiB is long a && Connections > 0 ? (double)(a - b) / Connections : null;
    public string? Failure { get; set; }
}

/// <summary>What each workload sends, for the report.</summary>
internal static class WorkloadDescriptions
{
    public static string For(string workload, LoadTestOptions o) => workload switch
    {
        "point-select" => "`SELECT c FROM sbtest1 WHERE id = ?` in autocommit (sysbench oltp_point_select); an event is one statement",
        "read-only-tx" => "`START TRANSACTION READ ONLY`, 10 point selects, 1 range select of 100 rows, `COMMIT` (sysbench oltp_read_only with one range select); an event is one transaction of 13 statements",
        "read-write" => "`START TRANSACTION`, 10 point selects, 1 range select of 100 rows, `UPDATE ... SET k = k + 1`, `UPDATE ... SET c = ?`, `DELETE` and `INSERT` of one id, `COMMIT` (sysbench oltp_read_write with one range select); an event is one transaction of 17 statements",
        "mixed-lag" => (o.Writers > 0
            ? $"{o.Writers} of the connections run only `UPDATE sbtest1 SET k = k + 1 WHERE id = ?`, the others only point selects (sessions that read have written nothing, so their reads are balanced by lag)"
            : $"autocommit point selects, {o.WritePercent} % of them replaced by `UPDATE sbtest1 SET k = k + 1 WHERE id = ?` in the same sessions (read-your-writes applies)")
            + ", in autocommit, while one replica lags; an event is one statement",
        _ => workload,
    };
}
