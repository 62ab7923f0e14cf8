using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MySqlProxy.LoadTest.Measurement;

namespace MySqlProxy.LoadTest.Reporting;

/// <summary>Writes a <see cref="LoadTestReport"/> as markdown (for people) and JSON (for scripts).</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Json(LoadTestReport report) => JsonSerializer.Serialize(report, s_json);

    public static string Markdown(LoadTestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        if (report.Title is not null) sb.Append("# ").Append(report.Title).Append("\n\n");
        foreach (string note in report.Notes) sb.Append(note).Append("\n\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"Measured {report.StartedAt:yyyy-MM-dd HH:mm} to {report.FinishedAt:HH:mm} UTC; {report.ProcessorCount} cores; {report.Runtime}; " +
            $"load average {F(report.LoadAverageStart, 1)} at the start, {F(report.LoadAverageEnd, 1)} at the end.\n");
        sb.Append("Targets: ").Append(string.Join(", ", report.Targets.Select(t => $"`{t}`")));
        if (report.Pids.Count > 0)
            sb.Append("; CPU of ").Append(string.Join(", ", report.Pids.Select(p => $"{p.Key} (pid {p.Value.ToString(CultureInfo.InvariantCulture)})")));
        sb.Append(".\n\n");

        foreach (WorkloadReport w in report.Workloads) AppendWorkload(sb, w);
        if (report.Idle.Count > 0) AppendIdle(sb, report.Idle);
        return sb.ToString();
    }

    /// <summary>The summary table alone (for the README).</summary>
    public static string SummaryTable(WorkloadReport w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var t = new MarkdownTable("target", "QPS>", "vs direct>", "p50 ms>", "p95 ms>", "p99 ms>", "p99 over direct, ms>", "errors>",
            "CPU µs/stmt>", "user / sys µs>", "CPU vs haproxy>");
        foreach (TargetSummary s in w.Summary)
        {
            t.Row(s.Target, N0(s.Qps), F(s.QpsVsDirect, 2), F(s.P50Ms, 2), F(s.P95Ms, 2), F(s.P99Ms, 2), Signed(s.P99AddedMs, 2),
                s.Errors.ToString(CultureInfo.InvariantCulture), F(s.CpuUsPerStatement, 1),
                s.UserUsPerStatement is null ? "-" : $"{F(s.UserUsPerStatement, 1)} / {F(s.SystemUsPerStatement, 1)}",
                F(s.CpuVsHaproxy, 2));
        }
        return t.ToString();
    }

    private static void AppendWorkload(StringBuilder sb, WorkloadReport w)
    {
        sb.Append("## ").Append(w.Name).Append("\n\n");
        sb.Append(w.Description).Append(". ");
        sb.Append(CultureInfo.InvariantCulture, $"{w.Connections} connections, {(w.Prepared ? "prepared statements (binary protocol)" : "text protocol")}, ");
        string measured = w.Count is long c ? $"{c.ToString(CultureInfo.InvariantCulture)} events" : $"{F(w.DurationSeconds, 0)} s";
        sb.Append(CultureInfo.InvariantCulture, $"{w.Rounds} round{(w.Rounds == 1 ? string.Empty : "s")} of {measured} per target after {F(w.WarmupSeconds, 0)} s of warm-up, ");
        sb.Append(CultureInfo.InvariantCulture, $"{w.Tables} table{(w.Tables == 1 ? string.Empty : "s")} of {w.TableSize} rows.");
        if (w.Lag is not null) sb.Append(" Lag: ").Append(w.Lag).Append('.');
        sb.Append("\n\n");
        sb.Append(SummaryTable(w)).Append('\n');

        TargetSummary? proxy = w.Summary.FirstOrDefault(s => s.BackendShare is not null);
        if (proxy?.BackendShare is not null)
        {
            sb.Append("Statements per backend through ").Append(proxy.Target).Append(": ")
              .Append(string.Join(", ", proxy.BackendShare.Select(kv => $"{kv.Key} {(kv.Value * 100).ToString("0.0", CultureInfo.InvariantCulture)} %")))
              .Append(".\n\n");
        }

        bool lagColumn = w.Runs.Exists(r => r.ReplicaLagSeconds is not null) || w.Lag is not null;
        var columns = new List<string> { "round>", "target", "QPS>", "TPS>", "p50 ms>", "p99 ms>", "max ms>", "errors>", "CPU µs/stmt>", "loadgen µs/stmt>", "machine busy>", "load avg>" };
        if (lagColumn) columns.Add("replica lag s>");
        var t = new MarkdownTable(columns.ToArray());
        foreach (RunResult r in w.Runs.OrderBy(r => r.Round).ThenBy(r => r.Order))
        {
            var cells = new List<string>
            {
                r.Round.ToString(CultureInfo.InvariantCulture), r.Target,
            };
            if (r.Failure is not null)
            {
                cells.Add("failed: " + r.Failure);
                while (cells.Count < columns.Count) cells.Add(string.Empty);
            }
            else
            {
                cells.AddRange(
                [
                    N0(r.Qps), N0(r.Tps), F(r.P50Us / 1000.0, 2), F(r.P99Us / 1000.0, 2), F(r.MaxUs / 1000.0, 1),
                    r.Errors.ToString(CultureInfo.InvariantCulture), F(r.CpuUsPerStatement, 1), F(r.ClientCpuUsPerStatement, 1),
                    (r.MachineBusy * 100).ToString("0", CultureInfo.InvariantCulture) + " %", F(r.LoadAverage, 1),
                ]);
                if (lagColumn) cells.Add(F(r.ReplicaLagSeconds, 0));
            }
            t.Row(cells.ToArray());
        }
        sb.Append("Runs in the order they ran:\n\n").Append(t).Append('\n');

        foreach (RunResult r in w.Runs.Where(r => r.ProxyReplicaView is not null))
        {
            sb.Append(CultureInfo.InvariantCulture, $"Round {r.Round}, end of the {r.Target} run, the proxy's view: {r.ProxyReplicaView}")
              .Append(r.BackendStatements is null ? string.Empty : "; statements " + string.Join(", ", r.BackendStatements.Select(kv => $"{kv.Key} {kv.Value.ToString(CultureInfo.InvariantCulture)}")))
              .Append(".\n");
        }
        if (w.Runs.Exists(r => r.ProxyReplicaView is not null)) sb.Append('\n');

        foreach (RunResult r in w.Runs.Where(r => r.FirstError is not null).GroupBy(r => r.Target).Select(g => g.First()))
            sb.Append("First error on ").Append(r.Target).Append(": `").Append(r.FirstError).Append("`\n\n");
    }

    private static void AppendIdle(StringBuilder sb, List<IdleResult> idle)
    {
        sb.Append("## Idle connections\n\n");
        sb.Append("Each target's serving process: resident memory (VmRSS) before and after opening the connections ")
          .Append("(logged in, then idle), and the difference per connection.\n\n");
        var t = new MarkdownTable("target", "connections>", "RSS before MiB>", "RSS after MiB>", "KiB per connection>");
        foreach (IdleResult r in idle)
        {
            if (r.Failure is not null)
            {
                t.Row(r.Target, r.Connections.ToString(CultureInfo.InvariantCulture), "failed: " + r.Failure, string.Empty, string.Empty);
                continue;
            }
            t.Row(r.Target, r.Connections.ToString(CultureInfo.InvariantCulture), F(r.RssBeforeKiB / 1024.0, 1),
                F(r.RssAfterKiB / 1024.0, 1), F(r.KiBPerConnection, 1));
        }
        sb.Append(t).Append('\n');
    }

    internal static string F(double? value, int decimals) =>
        value is double v && !double.IsNaN(v) ? v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "-";

    internal static string Signed(double? value, int decimals) =>
        value is double v && !double.IsNaN(v) ? (v >= 0 ? "+" : string.Empty) + F(v, decimals) : "-";

    internal static string N0(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
