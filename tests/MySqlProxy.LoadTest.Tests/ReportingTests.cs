using System.Text.Json;
using MySqlProxy.LoadTest.Measurement;
using MySqlProxy.LoadTest.Reporting;

namespace MySqlProxy.LoadTest.Tests;

public sealed class ReportingTests
{
    [Fact]
    public void MarkdownTable_PadsColumnsAndAlignsNumbersRight()
    {
        string table = new MarkdownTable("target", "QPS>")
            .Row("direct", "12,000")
            .Row("proxy", "9")
            .ToString();
        Assert.Equal(
            "| target |    QPS |\n" +
            "| ------ | -----: |\n" +
            "| direct | 12,000 |\n" +
            "| proxy  |      9 |\n",
            table);
    }

    [Fact]
    public void MarkdownTable_EscapesPipesAndRejectsShortRows()
    {
        string table = new MarkdownTable("a").Row("x|y").ToString();
        Assert.Contains("x\\|y", table, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new MarkdownTable("a", "b").Row("only one"));
    }

    private static RunResult Run(string target, int round, double qps, long p99Us, double? cpuUs, long statements = 10_000) => new()
    {
        Workload = "point-select",
        Target = target,
        Round = round,
        Seconds = statements / qps,
        Statements = statements,
        Events = statements,
        P50Us = p99Us / 4,
        P95Us = p99Us / 2,
        P99Us = p99Us,
        CpuUserUs = cpuUs is null ? null : cpuUs * statements / 4,
        CpuSystemUs = cpuUs is null ? null : cpuUs * statements * 3 / 4,
    };

    [Fact]
    public void Summarize_ComparesWithinEachRound_ThenTakesTheMedian()
    {
        var runs = new List<RunResult>
        {
            // Round 1: a fast machine; round 2: everything half as fast; round 3: in between.
            Run("direct", 1, 20_000, 1000, 50), Run("proxy", 1, 18_000, 1500, 44), Run("haproxy", 1, 19_000, 1200, 40),
            Run("direct", 2, 10_000, 2000, 50), Run("proxy", 2, 9_000, 3000, 44), Run("haproxy", 2, 9_500, 2400, 40),
            Run("direct", 3, 15_000, 1500, 50), Run("proxy", 3, 12_000, 2000, 48), Run("haproxy", 3, 14_000, 1700, 40),
        };
        List<TargetSummary> s = Summarizer.Summarize(runs, ["direct", "proxy", "haproxy"]);
        Assert.Equal(["direct", "proxy", "haproxy"], s.Select(x => x.Target));
        TargetSummary proxy = s[1];
        Assert.Equal(3, proxy.Rounds);
        Assert.Equal(12_000, proxy.Qps, 6);
        Assert.Equal(0.9, proxy.QpsVsDirect!.Value, 6);          // 0.9, 0.9, 0.8
        Assert.Equal(0.5, proxy.P99AddedMs!.Value, 6);           // 0.5, 1.0, 0.5
        Assert.Equal(1.1, proxy.CpuVsHaproxy!.Value, 6);         // 1.1, 1.1, 1.2
        Assert.Equal(44, proxy.CpuUsPerStatement!.Value, 6);
        Assert.Equal(11, proxy.UserUsPerStatement!.Value, 6);
        Assert.Equal(33, proxy.SystemUsPerStatement!.Value, 6);
        Assert.Equal(1.0, s[0].QpsVsDirect!.Value, 6);
        Assert.Equal(0.0, s[0].P99AddedMs!.Value, 6);
        Assert.Null(s[0].CpuVsHaproxy);   // direct's CPU is the database's
        Assert.Equal(1.0, s[2].CpuVsHaproxy!.Value, 6);
    }

    [Fact]
    public void Summarize_WithoutDirectOrPids_LeavesRatiosEmpty()
    {
        List<TargetSummary> s = Summarizer.Summarize([Run("proxy", 1, 1000, 500, null)], ["proxy", "absent"]);
        TargetSummary only = Assert.Single(s);
        Assert.Null(only.QpsVsDirect);
        Assert.Null(only.P99AddedMs);
        Assert.Null(only.CpuUsPerStatement);
        Assert.Null(only.CpuVsHaproxy);
    }

    [Fact]
    public void Summarize_FailedRuns_AreLeftOut()
    {
        var failed = new RunResult { Workload = "w", Target = "proxy", Round = 2, Failure = "refused" };
        List<TargetSummary> s = Summarizer.Summarize([Run("proxy", 1, 1000, 500, null), failed], ["proxy"]);
        Assert.Equal(1, s[0].Rounds);
    }

    [Fact]
    public void BackendShare_SumsOverRuns()
    {
        RunResult a = Run("proxy", 1, 1000, 1, null);
        a.BackendStatements = new() { ["db1"] = 10, ["db2"] = 30 };
        RunResult b = Run("proxy", 2, 1000, 1, null);
        b.BackendStatements = new() { ["db1"] = 10, ["db2"] = 50 };
        Dictionary<string, double> share = Summarizer.BackendShare([a, b])!;
        Assert.Equal(0.2, share["db1"], 6);
        Assert.Equal(0.8, share["db2"], 6);
        Assert.Null(Summarizer.BackendShare([Run("x", 1, 1, 1, null)]));
    }

    [Fact]
    public void Median_OddEvenEmpty()
    {
        Assert.Equal(2, Summarizer.Median([3, 1, 2]));
        Assert.Equal(2.5, Summarizer.Median([4, 1, 3, 2]));
        Assert.Equal(0, Summarizer.Median([]));
    }

    [Fact]
    public void Markdown_HasSummaryAndRoundTables_JsonRoundTrips()
    {
        var report = new LoadTestReport { Title = "t", StartedAt = DateTimeOffset.UnixEpoch, FinishedAt = DateTimeOffset.UnixEpoch };
        report.Targets.Add("direct=127.0.0.1:13306");
        var w = new WorkloadReport { Name = "point-select", Description = "d", Connections = 8, Rounds = 1, DurationSeconds = 10, WarmupSeconds = 2, Tables = 1, TableSize = 10 };
        w.Runs.Add(Run("direct", 1, 1000, 2000, 40));
        w.Runs.Add(Run("proxy", 1, 900, 2500, 30));
        w.Runs.Add(new RunResult { Workload = "point-select", Target = "haproxy", Round = 1, Order = 2, Failure = "Connection refused" });
        w.Summary = Summarizer.Summarize(w.Runs, ["direct", "proxy", "haproxy"]);
        report.Workloads.Add(w);
        report.Idle.Add(new IdleResult { Target = "proxy", Pid = 1, Connections = 2000, RssBeforeKiB = 100_000, RssAfterKiB = 130_000 });

        string md = ReportWriter.Markdown(report);
        Assert.StartsWith("# t\n", md, StringComparison.Ordinal);
        Assert.Contains("## point-select", md, StringComparison.Ordinal);
        Assert.Contains("| proxy  |   900 |      0.90 |", md, StringComparison.Ordinal);
        Assert.Contains("+0.50", md, StringComparison.Ordinal);
        Assert.Contains("failed: Connection refused", md, StringComparison.Ordinal);
        Assert.Contains("| proxy  |        2000 |           97.7 |         127.0 |               15.0 |", md, StringComparison.Ordinal);   // (130000 - 100000) / 2000 KiB

        using JsonDocument json = JsonDocument.Parse(ReportWriter.Json(report));
        JsonElement workload = json.RootElement.GetProperty("workloads")[0];
        Assert.Equal("point-select", workload.GetProperty("name").GetString());
        Assert.Equal(0.9, workload.GetProperty("summary")[1].GetProperty("qps_vs_direct").GetDouble(), 6);
        Assert.Equal(900, workload.GetProperty("runs")[1].GetProperty("qps").GetDouble(), 6);
        Assert.Equal(15.0, json.RootElement.GetProperty("idle")[0].GetProperty("kib_per_connection").GetDouble(), 6);
    }

    [Fact]
    public void ParseStatements_AdminBackendsJson()
    {
        using JsonDocument doc = JsonDocument.Parse("""
            [{"name":"db1","role":"primary","statements":12,"smoothed_lag_ms":null},
             {"name":"db2","role":"replica","statements":30,"smoothed_lag_ms":1032.4,"effective_weight":41.2},
             {"name":"db3","role":"replica","statements":5}]
            """);
        Dictionary<string, long> counts = ProxyAdminClient.ParseStatements(doc.RootElement);
        Assert.Equal(3, counts.Count);
        Assert.Equal(30, counts["db2"]);
        Assert.Equal("db2 lag 1032 ms weight 41, db3 lag unknown weight ?", ProxyAdminClient.ParseReplicaView(doc.RootElement));
    }
}
