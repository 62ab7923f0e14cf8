using System.Buffers.Binary;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Operations.Backups;
using MySqlProxy.Operations.Backups.Binlogs;
using MySqlProxy.Operations.Backups.Engine;
using MySqlProxy.Operations.Backups.Planning;
using MySqlProxy.Operations.Backups.Repository;

namespace MySqlProxy.Operations.Tests.Backups;

public sealed class PlanningTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static BackupRecord Full(int day, string gtid = "") => new()
    {
        Label = BackupLabel.Full(T0.AddDays(day)),
        Type = BackupType.Full,
        Full = BackupLabel.Full(T0.AddDays(day)),
        StartedAt = T0.AddDays(day),
        StoppedAt = T0.AddDays(day).AddMinutes(10),
        Gtid = gtid,
    };

    private static BackupRecord Incremental(BackupRecord parent, double hours, string gtid = "")
    {
        DateTimeOffset at = BackupLabel.TimeOf(parent.Full).AddHours(hours);
        return new BackupRecord
        {
            Label = BackupLabel.Incremental(parent.Full, at),
            Type = BackupType.Incremental,
            Parent = parent.Label,
            Full = parent.Full,
            StartedAt = at,
            StoppedAt = at.AddMinutes(2),
            Gtid = gtid,
        };
    }

    private static ArchivedBinlog Binlog(int n, string start, string? first, string? last, DateTimeOffset from, DateTimeOffset to) => new()
    {
        Name = $"mysql-bin.{n:000000}",
        ServerId = 1,
        Stored = new StoredObject($"archive/1/mysql-bin.{n:000000}.zst.aes", 10, "00", 20),
        StartState = start,
        FirstGtid = first,
        LastGtid = last,
        FirstTime = from,
        LastTime = to,
    };

    // ---------------------------------------------------------------- retention

    [Fact]
    public void Retention_Count_KeepsNewestFullsWithTheirIncrementals()
    {
        BackupRecord f1 = Full(0), f2 = Full(7), f3 = Full(14);
        BackupRecord i1 = Incremental(f1, 1), i2 = Incremental(f2, 1), i3 = Incremental(f3, 1);
        RetentionPlan plan = RetentionPolicy.Plan([f1, i1, f2, i2, f3, i3], [], new BackupRetentionOptions { FullCount = 2 }, T0.AddDays(20));
        Assert.Equal([f2.Label, i2.Label, f3.Label, i3.Label], plan.Kept.Select(b => b.Label));
        Assert.Equal([f1.Label, i1.Label], plan.Expired.Select(b => b.Label));
    }

    [Fact]
    public void Retention_Days_KeepsTheFullBeforeTheWindow()
    {
        BackupRecord f1 = Full(0), f2 = Full(7), f3 = Full(14);
        // Window of 5 days on day 16: from day 11. f3 is inside, f2 is the base for days 11-14, f1 goes.
        RetentionPlan plan = RetentionPolicy.Plan([f1, f2, f3], [], new BackupRetentionOptions { FullDays = 5 }, T0.AddDays(16));
        Assert.Equal([f2.Label, f3.Label], plan.Kept.Select(b => b.Label));
        Assert.Equal([f1.Label], plan.Expired.Select(b => b.Label));
    }

    [Fact]
    public void Retention_None_KeepsEverything_AndNewestFullIsAlwaysKept()
    {
        BackupRecord f1 = Full(0);
        Assert.Empty(RetentionPolicy.Plan([f1], [], new BackupRetentionOptions(), T0.AddDays(100)).Expired);
        Assert.Empty(RetentionPolicy.Plan([f1], [], new BackupRetentionOptions { FullDays = 1 }, T0.AddDays(100)).Expired);
    }

    [Fact]
    public void Retention_ExpiresOnlyBinlogsThatEndBeforeTheOldestKeptBackup()
    {
        BackupRecord f1 = Full(0), f2 = Full(7);
        ArchivedBinlog b1 = Binlog(1, string.Empty, "0-1-1", "0-1-5", T0.AddDays(-1), T0.AddDays(3));
        ArchivedBinlog b2 = Binlog(2, "0-1-5", "0-1-6", "0-1-9", T0.AddDays(3), T0.AddDays(6));
        ArchivedBinlog b3 = Binlog(3, "0-1-9", "0-1-10", "0-1-20", T0.AddDays(6), T0.AddDays(8)); // spans f2's start
        ArchivedBinlog b4 = Binlog(4, "0-1-20", "0-1-21", "0-1-30", T0.AddDays(8), T0.AddDays(9));
        RetentionPlan plan = RetentionPolicy.Plan([f1, f2], [b1, b2, b3, b4], new BackupRetentionOptions { FullCount = 1 }, T0.AddDays(10));
        Assert.Equal([b1.Name, b2.Name], plan.ExpiredBinlogs.Select(b => b.Name));
    }

    // ---------------------------------------------------------------- schedules

    [Fact]
    public void Schedule_StandardAndSecondsForms()
    {
        BackupSchedule weekly = BackupSchedule.Parse("full", "0 3 * * 0");
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero), weekly.Next(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero)));
        BackupSchedule hourly = BackupSchedule.Parse("incremental", "0 * * * *");
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 13, 0, 0, TimeSpan.Zero), hourly.Next(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero)));
        BackupSchedule everyTen = BackupSchedule.Parse("verify", "*/10 * * * * *");
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 12, 0, 10, TimeSpan.Zero), everyTen.Next(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Schedule_Due_PicksThoseInTheInterval()
    {
        BackupSchedule[] all = [BackupSchedule.Parse("full", "0 3 * * 0"), BackupSchedule.Parse("incremental", "0 * * * *")];
        var from = new DateTimeOffset(2026, 11, 29, 2, 59, 0, TimeSpan.Zero);
        Assert.Equal(["full", "incremental"], BackupWorker.Due(all, from, from.AddMinutes(1)).Select(s => s.Type));
        Assert.Empty(BackupWorker.Due(all, from.AddMinutes(1), from.AddMinutes(2)));
    }

    [Theory]
    [InlineData("full", "61 * * * *")]
    [InlineData("full", "every hour")]
    [InlineData("differential", "0 * * * *")]
    public void Schedule_Invalid_IsRefusedWithTheReason(string type, string cron)
    {
        Assert.Throws<FormatException>(() => BackupSchedule.Parse(type, cron));
        var options = new BackupsOptions
        {
            Repository = new BackupRepositoryOptions { Path = "/var/backups/x" },
            Encryption = new BackupEncryptionOptions { KeyEnv = "K" },
            Schedules = [new BackupScheduleOptions { Type = type, Cron = cron }],
        };
        Assert.Contains(BackupsOptionsValidator.Validate(options), f => f.StartsWith("backups.schedules[0]", StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_NamesTheKey()
    {
        var options = new BackupsOptions
        {
            Repository = new BackupRepositoryOptions { Path = "relative/dir" },
            CompressionLevel = 40,
            Retention = new BackupRetentionOptions { FullCount = -1 },
            Agent = new BackupAgentOptions { Url = "ftp://x", Token = "t" },
        };
        IReadOnlyList<string> failures = BackupsOptionsValidator.Validate(options);
        Assert.Contains(failures, f => f.StartsWith("backups.repository.path", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("backups.encryption", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("backups.compression_level", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("backups.retention.full_count", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("backups.agent.url", StringComparison.Ordinal));
        Assert.Empty(BackupsOptionsValidator.Validate(new BackupsOptions()));
    }

    // ---------------------------------------------------------------- recovery planning

    private static (BackupRecord[] Backups, ArchivedBinlog[] Binlogs) Archive()
    {
        BackupRecord f = Full(0, "0-1-5");
        BackupRecord i = Incremental(f, 2, "0-1-8");
        ArchivedBinlog b1 = Binlog(1, string.Empty, "0-1-1", "0-1-6", T0.AddHours(-1), T0.AddHours(1));
        ArchivedBinlog b2 = Binlog(2, "0-1-6", "0-1-7", "0-1-9", T0.AddHours(1), T0.AddHours(3));
        ArchivedBinlog b3 = Binlog(3, "0-1-9", "0-1-10", "0-1-12", T0.AddHours(3), T0.AddHours(4));
        return ([f, i], [b1, b2, b3]);
    }

    [Fact]
    public void Plan_Time_UsesNewestBackupBeforeIt_AndTheBinlogsFromItsPosition()
    {
        (BackupRecord[] backups, ArchivedBinlog[] binlogs) = Archive();
        RecoveryPlan plan = RecoveryPlanner.Plan(backups, binlogs, new RecoveryTarget(Time: T0.AddHours(3.5)));
        Assert.Equal([backups[0].Label, backups[1].Label], plan.Chain.Select(b => b.Label));
        Assert.Equal("0-1-8", plan.StartGtid);
        Assert.Equal(["mysql-bin.000002", "mysql-bin.000003"], plan.Binlogs.Select(b => b.Name));

        RecoveryPlan early = RecoveryPlanner.Plan(backups, binlogs, new RecoveryTarget(Time: T0.AddHours(1)));
        Assert.Equal([backups[0].Label], early.Chain.Select(b => b.Label));
        Assert.Equal(["mysql-bin.000001", "mysql-bin.000002", "mysql-bin.000003"], early.Binlogs.Select(b => b.Name));
    }

    [Fact]
    public void Plan_Strict_RefusesTimesOutsideTheArchive_NamingTheRange()
    {
        (BackupRecord[] backups, ArchivedBinlog[] binlogs) = Archive();
        RecoveryRangeException after = Assert.Throws<RecoveryRangeException>(() => RecoveryPlanner.Plan(backups, binlogs, new RecoveryTarget(Time: T0.AddHours(5))));
        Assert.Contains("after the last recoverable time", after.Message, StringComparison.Ordinal);
        Assert.Contains("2026-11-01T04:00:00Z", after.Message, StringComparison.Ordinal);
        RecoveryRangeException before = Assert.Throws<RecoveryRangeException>(() => RecoveryPlanner.Plan(backups, binlogs, new RecoveryTarget(Time: T0.AddHours(-2))));
        Assert.Contains("no backup finished at or before", before.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Strict_RefusesAGapAndAMissingStart()
    {
        (BackupRecord[] backups, ArchivedBinlog[] binlogs) = Archive();
        RecoveryRangeException gap = Assert.Throws<RecoveryRangeException>(() => RecoveryPlanner.Plan(backups, [binlogs[0], binlogs[2]], new RecoveryTarget(Time: T0.AddHours(3.5))));
        Assert.Contains("gap", gap.Message, StringComparison.Ordinal);
        RecoveryRangeException missing = Assert.Throws<RecoveryRangeException>(() => RecoveryPlanner.Plan([backups[0]], [binlogs[2]], new RecoveryTarget(Time: T0.AddHours(3.5))));
        Assert.Contains("not archived", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Gtid_InsideAndOutside()
    {
        (BackupRecord[] backups, ArchivedBinlog[] binlogs) = Archive();
        RecoveryPlan plan = RecoveryPlanner.Plan(backups, binlogs, new RecoveryTarget(Gtid: "0-1-11"));
        Assert.Equal(backups[1].Label, plan.Base.Label);
        RecoveryPlan fromFull = RecoveryPlanner.Plan(backups, binlogs, new RecoveryTarget(Gtid: "0-1-7"));
        Assert.Equal(backups[0].Label, fromFull.Base.Label);
        RecoveryRangeException ex = Assert.Throws<RecoveryRangeException>(() => RecoveryPlanner.Plan(backups, binlogs, new RecoveryTarget(Gtid: "0-1-99")));
        Assert.Contains("GTID 0-1-99 is not in the archive", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0-1-12", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Backup_ResolvesTheWholeChain()
    {
        (BackupRecord[] backups, _) = Archive();
        Assert.Equal(2, RecoveryPlanner.Plan(backups, [], new RecoveryTarget(Backup: backups[1].Label)).Chain.Count);
        Assert.Throws<RecoveryRangeException>(() => RecoveryPlanner.Plan([backups[1]], [], new RecoveryTarget(Backup: backups[1].Label)));
        Assert.Throws<RecoveryRangeException>(() => RecoveryPlanner.Plan(backups, [], new RecoveryTarget(Backup: "20200101-000000F")));
    }

    // ---------------------------------------------------------------- binlog files

    private static byte[] Event(uint time, byte type, uint server, byte[] body)
    {
        byte[] e = new byte[19 + body.Length + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(e, time);
        e[4] = type;
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(5), server);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(9), (uint)e.Length);
        body.CopyTo(e, 19);
        return e;
    }

    private static byte[] Gtid(ulong seq, uint domain)
    {
        byte[] b = new byte[13];
        BinaryPrimitives.WriteUInt64LittleEndian(b, seq);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), domain);
        return b;
    }

    [Fact]
    public void BinlogFile_ReadsStartStateGtidsAndTimes()
    {
        byte[] list = new byte[4 + 16];
        BinaryPrimitives.WriteUInt32LittleEndian(list, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(list.AsSpan(4), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(list.AsSpan(8), 7);
        BinaryPrimitives.WriteUInt64LittleEndian(list.AsSpan(12), 41);
        byte[] file = [0xfe, (byte)'b', (byte)'i', (byte)'n',
            .. Event(1000, 0x0f, 7, new byte[80]),
            .. Event(1000, 0xa3, 7, list),
            .. Event(1005, 0xa2, 7, Gtid(42, 0)),
            .. Event(1005, 0x1e, 7, new byte[20]),
            .. Event(1009, 0xa2, 7, Gtid(43, 0)),
            .. Event(1012, 0x04, 7, new byte[20])];
        BinlogFileInfo info = BinlogFileInfo.Read(file);
        Assert.Equal("0-7-41", info.StartState);
        Assert.Equal("0-7-42", info.FirstGtid);
        Assert.Equal("0-7-43", info.LastGtid);
        Assert.Equal(2, info.Transactions);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1000), info.FirstTime);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1012), info.LastTime);
        Assert.True(info.Complete);
        Assert.Equal(7, info.ServerId);
        Assert.Throws<FormatException>(() => BinlogFileInfo.Read([1, 2, 3, 4]));
    }

    [Fact]
    public void BinlogPos_FromMariadbBackupInfo()
    {
        (string gtid, string file, long pos) = BackupService.ParseBinlogPos("filename 'mysql-bin.000001', position '1688', GTID of the last change '0-14306-7'");
        Assert.Equal(("0-14306-7", "mysql-bin.000001", 1688L), (gtid, file, pos));
        Assert.Equal(string.Empty, BackupService.ParseBinlogPos(null).Gtid);
    }
}
