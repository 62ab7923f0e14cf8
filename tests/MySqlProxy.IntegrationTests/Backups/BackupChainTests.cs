using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.Operations.Backups.Engine;
using MySqlProxy.Operations.Backups.Repository;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.IntegrationTests.Backups;

/// <summary>
/// The acceptance test of issue 8 on the real topology: full, incremental and point-in-time restores give
/// exactly the data captured on the primary at those points; tampering and a wrong key are detected; a target
/// the archive does not cover is refused naming the covered range.
/// </summary>
public sealed class BackupChainTests
{
    [Fact(Timeout = 300_000)]
    public async Task FullIncrementalAndPitr_RestoreExactlyTheCapturedData()
    {
        await Topology.EnsureUpAsync();
        await using var h = new BackupHarness("chain");
        await h.CreateTablesAsync();
        await h.WriteAsync("a");
        await BackupHarness.SucceedAsync(h.Service.StartArchive(rotate: true));

        JobSnapshot full = await BackupHarness.SucceedAsync(h.Service.StartBackup(BackupType.Full));
        Dictionary<string, long> atFull = await h.PrimaryChecksumsAsync();
        Assert.Equal(100.0, full.Percent);

        await h.WriteAsync("b");
        await BackupHarness.SucceedAsync(h.Service.StartBackup(BackupType.Incremental));
        Dictionary<string, long> atIncremental = await h.PrimaryChecksumsAsync();

        await h.WriteAsync("c");
        Dictionary<string, long> atTime = await h.PrimaryChecksumsAsync();

        // Binlog times have one-second resolution: the noted moment sits in a second of its own.
        await Task.Delay(1000 - DateTime.UtcNow.Millisecond + 300, TestContext.Current.CancellationToken);
        DateTimeOffset noted = DateTimeOffset.UtcNow;
        await Task.Delay(1200, TestContext.Current.CancellationToken);
        await h.WriteAsync("d");
        Dictionary<string, long> atEnd = await h.PrimaryChecksumsAsync();
        await BackupHarness.SucceedAsync(h.Service.StartArchive(rotate: true));

        IReadOnlyList<BackupRecord> backups = await h.Service.ListAsync(CancellationToken.None);
        Assert.Equal(2, backups.Count);
        BackupRecord fullRecord = backups[0];
        BackupRecord incremental = backups[1];
        Assert.Equal(BackupType.Full, fullRecord.Type);
        Assert.Equal(fullRecord.Label, incremental.Parent);
        Assert.True(incremental.FromLsn > 0);
        Assert.StartsWith(fullRecord.Label + "_", incremental.Label, StringComparison.Ordinal);
        Assert.NotEqual(atFull, atIncremental);
        Assert.NotEqual(atTime, atEnd);

        Assert.Equal(atFull, await h.RestoreAndChecksumAsync(new RestoreRequest { Backup = fullRecord.Label }, "full"));
        Assert.Equal(atIncremental, await h.RestoreAndChecksumAsync(new RestoreRequest { Backup = incremental.Label }, "inc"));
        Assert.Equal(atTime, await h.RestoreAndChecksumAsync(new RestoreRequest { Time = noted }, "pitr"));

        ArchiveStatus archive = await h.Service.ArchiveStatusAsync(CancellationToken.None);
        Assert.True(archive.Range.LastRecoverableTime >= noted, $"last recoverable time {archive.Range.LastRecoverableTime} before {noted}");

        // Strict: a moment after the last recoverable time is refused, naming what is covered.
        JobSnapshot future = await BackupHarness.WaitAsync(h.Service.StartRestore(new RestoreRequest { Time = DateTimeOffset.UtcNow.AddHours(1), TargetDir = Path.Combine(h.Root, "r-future") }));
        Assert.Equal(JobState.Failed, future.State);
        Assert.Contains("after the last recoverable time", future.Error, StringComparison.Ordinal);
        Assert.Contains("the binlog archive covers", future.Error, StringComparison.Ordinal);

        // Verification restores for real and records the result in the backup's history.
        JobSnapshot verify = await BackupHarness.SucceedAsync(h.Service.StartVerify(incremental.Label));
        BackupRecord verified = (await h.Service.ListAsync(CancellationToken.None)).Single(b => b.Label == incremental.Label);
        Assert.Equal("verified", verified.VerifiedState);
        Assert.NotEmpty(verified.Checksums);
        Assert.Equal(verify.Id, verified.Verifications[^1].JobId);

        // A wrong key is named as such.
        var wrong = new Core.Configuration.BackupsOptions
        {
            Repository = h.Options.Repository,
            Encryption = new Core.Configuration.BackupEncryptionOptions { KeyFile = Path.Combine(h.Root, "other-key") },
            User = "admin",
            Password = "admin",
            WorkDir = h.Options.WorkDir,
        };
        await File.WriteAllTextAsync(wrong.Encryption.KeyFile, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), TestContext.Current.CancellationToken);
        using (BackupService other = h.NewService(wrong))
        {
            JobSnapshot wrongKey = await BackupHarness.WaitAsync(other.StartVerify(fullRecord.Label));
            Assert.Equal(JobState.Failed, wrongKey.State);
            Assert.Contains("wrong key", wrongKey.Error, StringComparison.Ordinal);
        }

        // One flipped byte in the middle of the full's data is detected.
        string data = Path.Combine(h.Options.Repository.Path, BackupRepository.DataKey(fullRecord.Label));
        byte[] bytes = await File.ReadAllBytesAsync(data, TestContext.Current.CancellationToken);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(data, bytes, TestContext.Current.CancellationToken);
        JobSnapshot tampered = await BackupHarness.WaitAsync(h.Service.StartVerify(fullRecord.Label));
        Assert.Equal(JobState.Failed, tampered.State);
        Assert.Contains("failed authentication", tampered.Error, StringComparison.Ordinal);
        Assert.Equal("failed", (await h.Service.ListAsync(CancellationToken.None)).Single(b => b.Label == fullRecord.Label).VerifiedState);
    }
}
