using MySqlProxy.Operations.Backups.Engine;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Admin.Metrics;

/// <summary>Metrics of long work (jobs by kind and outcome, scheduled ones included) and of the binlog archiver.</summary>
internal static class JobMetricsWriter
{
    public static string Write(JobManager jobs, BackupService? backups)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var text = new PrometheusText();
        text.Metric("mysqlproxy_jobs_total", "counter", "Jobs (backup, verify, restore, archive, ...) that ended since the start, by kind and state");
        foreach (((string kind, JobState state), long count) in jobs.Counts().OrderBy(c => c.Key.Kind, StringComparer.Ordinal).ThenBy(c => c.Key.State))
        {
            text.Sample("mysqlproxy_jobs_total", count, ("kind", kind), ("state", state.ToContractString()));
        }

        text.Metric("mysqlproxy_jobs_active", "gauge", "Jobs queued or running");
        text.Sample("mysqlproxy_jobs_active", jobs.Active().Count());
        if (backups is not null)
        {
            ArchiverStatus archiver = backups.Archiver;
            text.Metric("mysqlproxy_binlog_archiver_failing", "gauge", "1 when the binlog archiver's last run failed");
            text.Sample("mysqlproxy_binlog_archiver_failing", archiver.LastError is null ? 0 : 1);
        }

        return text.ToString();
    }
}
