using MySqlProxy.Core.Configuration;
using MySqlProxy.Operations.Backups.Repository;

namespace MySqlProxy.Operations.Backups.Planning;

/// <summary>What a retention run keeps and what it deletes.</summary>
public sealed record RetentionPlan(IReadOnlyList<BackupRecord> Kept, IReadOnlyList<BackupRecord> Expired, IReadOnlyList<ArchivedBinlog> ExpiredBinlogs);

/// <summary>
/// Retention in the manner of pgBackRest: keep the newest <c>full_count</c> full backups and/or what
/// point-in-time recovery to any moment of the last <c>full_days</c> days needs (the fulls inside the window
/// plus the newest one before it); a backup is kept with its whole chain, so an incremental goes only with its
/// full. Archived binlogs are expired only when they end before the oldest kept backup started, so the
/// recovery window of every kept backup stays whole. The newest full is always kept.
/// </summary>
public static class RetentionPolicy
{
    public static RetentionPlan Plan(IReadOnlyList<BackupRecord> backups, IReadOnlyList<ArchivedBinlog> binlogs, BackupRetentionOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(backups);
        ArgumentNullException.ThrowIfNull(binlogs);
        ArgumentNullException.ThrowIfNull(options);
        List<BackupRecord> fulls = [.. backups.Where(b => b.Type == BackupType.Full).OrderBy(b => b.Label, StringComparer.Ordinal)];
        if ((options.FullCount <= 0 && options.FullDays <= 0) || fulls.Count == 0)
        {
            return new RetentionPlan(backups, [], []);
        }

        var keptFulls = new HashSet<string>(StringComparer.Ordinal) { fulls[^1].Label };
        if (options.FullCount > 0)
        {
            foreach (BackupRecord full in fulls.TakeLast(options.FullCount))
            {
                keptFulls.Add(full.Label);
            }
        }

        if (options.FullDays > 0)
        {
            DateTimeOffset cutoff = now - TimeSpan.FromDays(options.FullDays);
            foreach (BackupRecord full in fulls.Where(f => f.StoppedAt >= cutoff))
            {
                keptFulls.Add(full.Label);
            }

            // The newest full before the window is the base for recovering to the window's first moments.
            if (fulls.LastOrDefault(f => f.StoppedAt < cutoff) is { } before)
            {
                keptFulls.Add(before.Label);
            }
        }

        List<BackupRecord> kept = [.. backups.Where(b => keptFulls.Contains(b.Full))];
        List<BackupRecord> expired = [.. backups.Where(b => !keptFulls.Contains(b.Full))];

        var expiredBinlogs = new List<ArchivedBinlog>();
        if (kept.Count > 0)
        {
            DateTimeOffset oldest = kept.Min(b => b.StartedAt);
            foreach (ArchivedBinlog binlog in binlogs)
            {
                DateTimeOffset? end = binlog.LastTime ?? binlog.FirstTime;
                if (end is null || end >= oldest)
                {
                    break;
                }

                expiredBinlogs.Add(binlog);
            }
        }

        return new RetentionPlan(kept, expired, expiredBinlogs);
    }
}
