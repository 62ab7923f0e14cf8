using MySqlProxy.LoadTest.Measurement;

namespace MySqlProxy.LoadTest.Reporting;

/// <summary>
/// One target's runs of one workload over all rounds. Levels are medians over rounds; comparisons are
/// made within each round (the machine drifts between rounds) and their median is reported.
/// </summary>
internal sealed record TargetSummary(
    string Target,
    int Rounds,
    double Qps,
    double Tps,
    double? QpsVsDirect,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double? P99AddedMs,
    long Errors,
    double? CpuUsPerStatement,
    double? UserUsPerStatement,
    double? SystemUsPerStatement,
    double? CpuVsHaproxy,
    double ClientCpuUsPerStatement,
    double MachineBusy,
    IReadOnlyDictionary<string, double>? BackendShare);

/// <summary>Turns runs into per-target summaries.</summary>
internal static class Summarizer
{
    /// <summary>The target QPS and p99 are compared with.</summary>
    public const string DirectName = "direct";

    /// <summary>The target CPU per statement is compared with.</summary>
    public const string HaproxyName = "haproxy";

    public static List<TargetSummary> Summarize(IReadOnlyList<RunResult> runs, IReadOnlyList<string> targetOrder)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(targetOrder);
        var summaries = new List<TargetSummary>();
        foreach (string target in targetOrder)
        {
            List<RunResult> mine = runs.Where(r => r.Target == target && r.Failure is null).ToList();
            if (mine.Count == 0) continue;
            var qpsRatios = new List<double>();
            var p99Added = new List<double>();
            var cpuRatios = new List<double>();
            foreach (RunResult run in mine)
            {
                RunResult? direct = Find(runs, DirectName, run.Round);
                if (direct is not null && direct.Qps > 0)
                {
                    qpsRatios.Add(run.Qps / direct.Qps);
                    p99Added.Add((run.P99Us - direct.P99Us) / 1000.0);
                }
                // direct's process is the database itself: its CPU is not a relay's, so it gets no ratio.
                RunResult? haproxy = target == DirectName ? null : Find(runs, HaproxyName, run.Round);
                if (haproxy?.CpuUsPerStatement is double h && h > 0 && run.CpuUsPerStatement is double c)
                    cpuRatios.Add(c / h);
            }
            summaries.Add(new TargetSummary(
                target,
                mine.Count,
                Median(mine.Select(r => r.Qps)),
                Median(mine.Select(r => r.Tps)),
                MedianOrNull(qpsRatios),
                Median(mine.Select(r => r.P50Us / 1000.0)),
                Median(mine.Select(r => r.P95Us / 1000.0)),
                Median(mine.Select(r => r.P99Us / 1000.0)),
                MedianOrNull(p99Added),
                mine.Sum(r => r.Errors),
                MedianOrNull(mine.Where(r => r.CpuUsPerStatement is not null).Select(r => r.CpuUsPerStatement!.Value)),
                MedianOrNull(mine.Where(r => r.UserUsPerStatement is not null).Select(r => r.UserUsPerStatement!.Value)),
                MedianOrNull(mine.Where(r => r.SystemUsPerStatement is not null).Select(r => r.SystemUsPerStatement!.Value)),
                MedianOrNull(cpuRatios),
                Median(mine.Select(r => r.ClientCpuUsPerStatement)),
                Median(mine.Select(r => r.MachineBusy)),
                BackendShare(mine)));
        }
        return summaries;
    }

    /// <summary>Share of statements per backend over all runs that have counts.</summary>
    internal static Dictionary<string, double>? BackendShare(IEnumerable<RunResult> runs)
    {
        var totals = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (RunResult r in runs)
        {
            if (r.BackendStatements is null) continue;
            foreach ((string name, long n) in r.BackendStatements)
                totals[name] = (totals.TryGetValue(name, out long t) ? t : 0) + n;
        }
        long all = totals.Values.Sum();
        if (all <= 0) return null;
        return totals.ToDictionary(kv => kv.Key, kv => (double)kv.Value / all, StringComparer.Ordinal);
    }

    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0) return 0;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double? MedianOrNull(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        return v.Length == 0 ? null : Median(v);
    }

    private static RunResult? Find(IReadOnlyList<RunResult> runs, string target, int round)
    {
        foreach (RunResult r in runs)
        {
            if (r.Target == target && r.Round == round && r.Failure is null) return r;
        }
        return null;
    }
}
