using System.Globalization;
using MySqlProxy.Operations.Backups.Binlogs;
using MySqlProxy.Operations.Backups.Repository;

namespace MySqlProxy.Operations.Backups.Planning;

/// <summary>Where a restore should end: a backup as it is, or a moment or GTID inside the binlog archive.</summary>
public sealed record RecoveryTarget(string? Backup = null, DateTimeOffset? Time = null, string? Gtid = null)
{
    public override string ToString() =>
        Time is { } t ? $"time {t.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z" : Gtid is not null ? $"GTID {Gtid}" : Backup is not null ? $"backup {Backup}" : "the latest backup";
}

/// <summary>How to reach a target: the chain of backups to restore (full first), then the binlogs to replay from <see cref="StartGtid"/>.</summary>
public sealed record RecoveryPlan(IReadOnlyList<BackupRecord> Chain, IReadOnlyList<ArchivedBinlog> Binlogs, string StartGtid, RecoveryTarget Target)
{
    public BackupRecord Base => Chain[^1];
}

/// <summary>The archive does not cover a target; the message says which range it does cover.</summary>
public sealed class RecoveryRangeException : Exception
{
    public RecoveryRangeException()
    {
    }

    public RecoveryRangeException(string message)
        : base(message)
    {
    }

    public RecoveryRangeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>What the archive covers: from a backup's position to the last recoverable time, without gaps.</summary>
public sealed record ArchiveRange(DateTimeOffset? FirstTime, DateTimeOffset? LastRecoverableTime, string? FirstGtid, string? LastGtid, int Files, IReadOnlyList<string> Gaps);

/// <summary>
/// Chooses the base backup and binlogs for a restore, strictly: a target that the backups and the archive
/// do not reach is refused (<see cref="RecoveryRangeException"/>) with the range they do cover, rather than
/// restoring to somewhere near it.
/// </summary>
public static class RecoveryPlanner
{
    public static RecoveryPlan Plan(IReadOnlyList<BackupRecord> backups, IReadOnlyList<ArchivedBinlog> binlogs, RecoveryTarget target)
    {
        ArgumentNullException.ThrowIfNull(backups);
        ArgumentNullException.ThrowIfNull(binlogs);
        ArgumentNullException.ThrowIfNull(target);
        List<BackupRecord> ordered = [.. backups.OrderBy(b => b.Label, StringComparer.Ordinal)];
        if (ordered.Count == 0)
        {
            throw new RecoveryRangeException("the repository holds no backup");
        }

        if (target.Time is null && target.Gtid is null)
        {
            BackupRecord chosen = target.Backup is null ? ordered[^1] :
                ordered.FirstOrDefault(b => b.Label == target.Backup) ?? throw new RecoveryRangeException($"no backup '{target.Backup}' (GET /api/backups lists them)");
            return new RecoveryPlan(ChainOf(ordered, chosen), [], chosen.Gtid, target);
        }

        ArchiveRange range = Describe(binlogs, ordered);
        BackupRecord? baseBackup;
        if (target.Time is { } time)
        {
            baseBackup = target.Backup is not null ? ordered.FirstOrDefault(b => b.Label == target.Backup) : ordered.LastOrDefault(b => b.StoppedAt <= time);
            if (baseBackup is null || baseBackup.StoppedAt > time)
            {
                throw new RecoveryRangeException($"no backup finished at or before {Format(time)}; {Covered(range, ordered)}");
            }

            if (time > (range.LastRecoverableTime ?? DateTimeOffset.MinValue) && time > baseBackup.StoppedAt)
            {
                throw new RecoveryRangeException($"{Format(time)} is after the last recoverable time; {Covered(range, ordered)}");
            }
        }
        else
        {
            if (!GtidPosition.TryParseOne(target.Gtid!, out uint domain, out _, out ulong seq))
            {
                throw new RecoveryRangeException($"gtid: '{target.Gtid}' is not a GTID (domain-server-sequence, such as 0-1-42)");
            }

            baseBackup = target.Backup is not null ? ordered.FirstOrDefault(b => b.Label == target.Backup) :
                ordered.LastOrDefault(b => GtidPosition.Parse(b.Gtid).SeqOf(domain) <= seq);
            if (baseBackup is null || GtidPosition.Parse(baseBackup.Gtid).SeqOf(domain) > seq)
            {
                throw new RecoveryRangeException($"GTID {target.Gtid} is before every backup; {Covered(range, ordered)}");
            }

            GtidPosition last = GtidPosition.Parse(range.LastGtid);
            if (GtidPosition.Parse(baseBackup.Gtid).SeqOf(domain) < seq && last.SeqOf(domain) < seq)
            {
                throw new RecoveryRangeException($"GTID {target.Gtid} is not in the archive; {Covered(range, ordered)}");
            }
        }

        List<ArchivedBinlog> needed = Needed(binlogs, baseBackup);
        return new RecoveryPlan(ChainOf(ordered, baseBackup), needed, baseBackup.Gtid, target);
    }

    /// <summary>What the archive covers (files in order, the last recoverable time, gaps in the file sequence).</summary>
    public static ArchiveRange Describe(IReadOnlyList<ArchivedBinlog> binlogs, IReadOnlyList<BackupRecord>? backups = null)
    {
        ArgumentNullException.ThrowIfNull(binlogs);
        if (binlogs.Count == 0)
        {
            return new ArchiveRange(null, null, null, null, 0, []);
        }

        var gaps = new List<string>();
        int runStart = 0;
        for (int i = 1; i < binlogs.Count; i++)
        {
            if (!Follows(binlogs[i - 1], binlogs[i]))
            {
                gaps.Add($"{binlogs[i - 1].Name} .. {binlogs[i].Name}");
                runStart = i;
            }
        }

        // Only the run after the last gap is usable with backups taken after the gap.
        IReadOnlyList<ArchivedBinlog> run = [.. binlogs.Skip(runStart)];
        string? lastGtid = EndState(run, run.Count - 1).ToString();
        return new ArchiveRange(
            run[0].FirstTime,
            run[^1].LastTime,
            string.IsNullOrEmpty(run[0].StartState) ? run[0].FirstGtid : run[0].StartState,
            string.IsNullOrEmpty(lastGtid) ? null : lastGtid,
            run.Count,
            gaps);
    }

    private static List<ArchivedBinlog> Needed(IReadOnlyList<ArchivedBinlog> binlogs, BackupRecord baseBackup)
    {
        GtidPosition start = GtidPosition.Parse(baseBackup.Gtid);
        int first = -1;
        for (int i = 0; i < binlogs.Count; i++)
        {
            if (!start.Covers(EndState(binlogs, i)))
            {
                first = i;
                break;
            }
        }

        if (first < 0)
        {
            return [];
        }

        if (!start.Covers(GtidPosition.Parse(binlogs[first].StartState)) && first > 0 && !Follows(binlogs[first - 1], binlogs[first]))
        {
            throw new RecoveryRangeException(
                $"the archive has a gap between {binlogs[first - 1].Name} and {binlogs[first].Name}, after backup {baseBackup.Label}'s position {baseBackup.Gtid}");
        }

        if (!start.Covers(GtidPosition.Parse(binlogs[first].StartState)))
        {
            throw new RecoveryRangeException(
                $"the archive starts at {binlogs[first].Name} (GTID state {binlogs[first].StartState}), after backup {baseBackup.Label}'s position {baseBackup.Gtid}: the binlogs between them were not archived");
        }

        var needed = new List<ArchivedBinlog> { binlogs[first] };
        for (int i = first + 1; i < binlogs.Count; i++)
        {
            if (!Follows(binlogs[i - 1], binlogs[i]))
            {
                throw new RecoveryRangeException($"the archive has a gap between {binlogs[i - 1].Name} and {binlogs[i].Name}");
            }

            needed.Add(binlogs[i]);
        }

        return needed;
    }

    private static GtidPosition EndState(IReadOnlyList<ArchivedBinlog> binlogs, int i)
    {
        var end = GtidPosition.Parse(binlogs[i].StartState);
        if (binlogs[i].LastGtid is { } last)
        {
            end = GtidPosition.Parse(string.Join(',', new[] { end.ToString(), last }.Where(s => s.Length > 0)));
        }

        return end;
    }

    /// <summary>True when <paramref name="next"/> is the file after <paramref name="previous"/> (same base name, number + 1).</summary>
    private static bool Follows(ArchivedBinlog previous, ArchivedBinlog next)
    {
        (string baseA, long a) = Split(previous.Name);
        (string baseB, long b) = Split(next.Name);
        return baseA == baseB && b == a + 1;
    }

    private static (string Base, long Number) Split(string name)
    {
        int dot = name.LastIndexOf('.');
        return dot > 0 && long.TryParse(name.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? (name[..dot], n) : (name, -1);
    }

    private static List<BackupRecord> ChainOf(IReadOnlyList<BackupRecord> backups, BackupRecord last)
    {
        var chain = new List<BackupRecord> { last };
        BackupRecord current = last;
        while (current.Parent is { } parent)
        {
            current = backups.FirstOrDefault(b => b.Label == parent) ??
                throw new RecoveryRangeException($"backup {last.Label} needs {parent}, which is not in the repository");
            chain.Insert(0, current);
        }

        return chain;
    }

    private static string Covered(ArchiveRange range, List<BackupRecord> backups)
    {
        string from = backups.Count == 0 ? "no backup" : $"backups finished from {Format(backups[0].StoppedAt)} to {Format(backups[^1].StoppedAt)}";
        string archive = range.Files == 0 ? "no archived binlogs" :
            $"the binlog archive covers {Format(range.FirstTime)} to {Format(range.LastRecoverableTime)} (GTID {range.FirstGtid} to {range.LastGtid})";
        return $"recoverable: {from}, {archive}";
    }

    internal static string Format(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "?";
}
