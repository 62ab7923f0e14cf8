using System.Diagnostics;
using MySqlProxy.Core.Configuration;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.Operations.Backups.Engine;
using MySqlProxy.Operations.Backups.Repository;
using MySqlProxy.Operations.Backups.Storage;

namespace MySqlProxy.IntegrationTests.Backups;

/// <summary>The same chain against S3 (s3rver from npm, installed by deploy/local/test.sh), and retention end to end.</summary>
public sealed class S3AndRetentionTests
{
    /// <summary>Where deploy/local/test.sh installs s3rver (S3RVER_DIR); MYSQLPROXY_TEST_S3RVER overrides the program path.</summary>
    private static string S3rver => Environment.GetEnvironmentVariable("MYSQLPROXY_TEST_S3RVER") ??
        Path.Combine(Environment.GetEnvironmentVariable("S3RVER_DIR") ?? "/var/tmp/mysqlproxy-s3rver", "node_modules/.bin/s3rver");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task S3Repository_FullIncrementalRestore_MatchesThePrimary()
    {
        await Topology.EnsureUpAsync();
        Assert.True(File.Exists(S3rver), $"s3rver is not installed at {S3rver}: run deploy/local/test.sh (it installs s3rver@3.7.1 with npm), or set MYSQLPROXY_TEST_S3RVER");
        int port = BackupHarness.FreePort();
        string data = Path.Combine("/var/tmp", "mps3-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(data);
        using Process s3 = Process.Start(new ProcessStartInfo(S3rver)
        {
            ArgumentList = { "-d", data, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-vhost-buckets", "--silent" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        _ = s3.StandardOutput.ReadToEndAsync(Ct);
        _ = s3.StandardError.ReadToEndAsync(Ct);
        Environment.SetEnvironmentVariable("MYSQLPROXY_TEST_S3_SECRET", "S3RVER");
        try
        {
            var s3Options = new S3RepositoryOptions
            {
                Bucket = "backups",
                Prefix = "cluster1",
                Endpoint = $"http://127.0.0.1:{port}",
                AccessKey = "S3RVER",
                SecretKeyEnv = "MYSQLPROXY_TEST_S3_SECRET",
                PartSizeMb = 5,
            };
            await using var h = new BackupHarness("s3", o => o.Repository = new BackupRepositoryOptions { S3 = s3Options });
            using (var store = new S3Store(s3Options))
            {
                var deadline = Stopwatch.StartNew();
                while (true)
                {
                    try
                    {
                        await store.EnsureBucketAsync(Ct);
                        break;
                    }
                    catch (Exception) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !s3.HasExited)
                    {
                        await Task.Delay(300, Ct);
                    }
                }
            }

            await h.CreateTablesAsync();
            await h.WriteAsync("a", 200);

            // 7 MB that does not compress, so the full goes up in more than one part.
            await h.ExecAsync($"CREATE TABLE `{h.Schema}`.noise (id INT PRIMARY KEY, b VARBINARY(1024)) ENGINE=InnoDB; " +
                $"INSERT INTO `{h.Schema}`.noise SELECT seq, RANDOM_BYTES(1024) FROM `{h.Schema}`.seq_1_to_7000");
            await BackupHarness.SucceedAsync(h.Service.StartBackup(BackupType.Full));
            await h.WriteAsync("b");
            await BackupHarness.SucceedAsync(h.Service.StartBackup(BackupType.Incremental));
            Dictionary<string, long> atIncremental = await h.PrimaryChecksumsAsync();

            IReadOnlyList<BackupRecord> backups = await h.Service.ListAsync(Ct);
            Assert.Equal(2, backups.Count);

            // The full is larger than one part: it went up as a multipart upload and still matches its manifest.
            Assert.True(backups[0].StoredBytes > 5 << 20, $"full stored as {backups[0].StoredBytes} bytes");
            foreach (StoredObject o in backups.SelectMany(b => b.Objects))
            {
                await h.Service.Repository.CheckAsync(o, Ct);
            }

            Assert.Equal(atIncremental, await h.RestoreAndChecksumAsync(new RestoreRequest { Backup = backups[1].Label }, "s3"));
        }
        finally
        {
            s3.Kill(entireProcessTree: true);
            await s3.WaitForExitAsync(Ct);
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task Retention_KeepsTheNewestFull_ExpiresTheOldChainAndItsBinlogs()
    {
        await Topology.EnsureUpAsync();
        await using var h = new BackupHarness("retention", o => o.Retention = new BackupRetentionOptions { FullCount = 1 });
        await h.CreateTablesAsync();
        await h.WriteAsync("a");
        await BackupHarness.SucceedAsync(h.Service.StartArchive(rotate: true));
        await BackupHarness.SucceedAsync(h.Service.StartBackup(BackupType.Full));
        BackupRecord oldFull = (await h.Service.ListAsync(Ct))[0];
        await h.WriteAsync("b");
        await BackupHarness.SucceedAsync(h.Service.StartBackup(BackupType.Incremental));
        await h.WriteAsync("c");
        await BackupHarness.SucceedAsync(h.Service.StartArchive(rotate: true));
        int archivedBefore = (await h.Service.ArchiveStatusAsync(Ct)).Files;

        // Binlog times have one-second resolution: the next full starts in a later second than the last archived event.
        await Task.Delay(1100, Ct);
        await BackupHarness.SucceedAsync(h.Service.StartBackup(BackupType.Full));

        IReadOnlyList<BackupRecord> kept = await h.Service.ListAsync(Ct);
        Assert.Single(kept);
        Assert.Equal(BackupType.Full, kept[0].Type);
        Assert.NotEqual(oldFull.Label, kept[0].Label);
        Assert.Empty(await h.Service.Repository.Store.ListAsync($"backup/{oldFull.Label}/", Ct));

        // Binlogs only the expired chain needed are gone; what PITR from the kept full needs stays.
        ArchiveStatus archive = await h.Service.ArchiveStatusAsync(Ct);
        Assert.True(archive.Files < archivedBefore, $"{archive.Files} archived binlogs left of {archivedBefore}");
        ArchiveIndex left = await h.Service.Repository.LoadArchiveAsync(Ct);
        Assert.All(left.Files, f => Assert.True(f.LastTime >= kept[0].StartedAt.AddSeconds(-1), $"{f.Name} ends {f.LastTime:O}, before the kept full started {kept[0].StartedAt:O}"));

        // PITR from the kept full to after it still works: the binlogs it needs are there.
        await h.WriteAsync("d");
        await Task.Delay(1100, Ct);
        await BackupHarness.SucceedAsync(h.Service.StartArchive(rotate: true));

        // Other tests close binlogs of the same primary meanwhile: files they closed before the kept full started
        // were archived just now, and go at the next retention pass (which runs after each backup).
        await h.Service.ApplyRetentionAsync(Ct);
        ArchiveStatus after = await h.Service.ArchiveStatusAsync(Ct);
        ArchiveIndex final = await h.Service.Repository.LoadArchiveAsync(Ct);
        Assert.DoesNotContain(final.Files, f => f.LastTime < kept[0].StartedAt.AddSeconds(-1));
        Assert.NotEmpty(final.Files);
        await h.Service.PlanAsync(new RestoreRequest { Time = after.Range.LastRecoverableTime, TargetDir = "/nonexistent" }, Ct);
    }
}
