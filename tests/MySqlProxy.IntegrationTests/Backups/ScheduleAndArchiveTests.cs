using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;
using MySqlProxy.Core.Configuration;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.IntegrationTests.Lag;
using MySqlProxy.Operations.Backups.Binlogs;
using MySqlProxy.Operations.Backups.Engine;
using MySqlProxy.Operations.Backups.Repository;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.IntegrationTests.Backups;

/// <summary>Scheduled backups run as jobs that never overlap; the binlog archiver survives a restart of its server.</summary>
public sealed class ScheduleAndArchiveTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task Schedule_RunsBackups_NeverTwoAtOnce()
    {
        await Topology.EnsureUpAsync();
        await using var h = new BackupHarness("sched", o => o.Schedules =
        [
            new BackupScheduleOptions { Type = "full", Cron = "*/3 * * * * *" },
            new BackupScheduleOptions { Type = "incremental", Cron = "*/2 * * * * *" },
        ]);
        await using (var worker = new BackupWorker(h.Service, NullLogger.Instance))
        {
            worker.Start();
            while (h.Jobs.History().Count(j => j.State == JobState.Succeeded) < 3)
            {
                await Task.Delay(200, Ct);
            }
        }

        await h.Jobs.StopAsync(TimeSpan.FromSeconds(30));
        JobSnapshot[] runs = [.. h.Jobs.History().Select(j => j.Snapshot()).Where(s => s.StartedAt is not null).OrderBy(s => s.StartedAt)];
        for (int i = 1; i < runs.Length; i++)
        {
            Assert.True(runs[i].StartedAt >= runs[i - 1].FinishedAt, $"{runs[i].Id} started before {runs[i - 1].Id} ended");
        }

        IReadOnlyList<BackupRecord> backups = await h.Service.ListAsync(Ct);
        Assert.True(backups.Count >= 3, $"{backups.Count} backups");
        Assert.Equal(BackupType.Full, backups[0].Type);
    }

    /// <summary>
    /// On an extra server of its own (topology.sh add-empty): archive, restart the server, write, archive again.
    /// The archive has no gap and no duplicate, and its GTIDs run on without a hole across the restart.
    /// </summary>
    [Fact(Timeout = 240_000)]
    public async Task Archiver_AfterServerRestart_LosesAndDuplicatesNothing()
    {
        await Topology.EnsureUpAsync();
        int port = Topology.Primary.Port + 11;
        string p = port.ToString(CultureInfo.InvariantCulture);
        await Replication.TopologyScriptAsync(["add-empty", p], TimeSpan.FromSeconds(120), Ct);
        try
        {
            await using var h = new BackupHarness("restart");
            using var service = new BackupService(h.Options, new BackendOptions { Name = "x", Host = "127.0.0.1", Port = port }, h.Jobs, NullLogger.Instance);
            string cs = $"Server=127.0.0.1;Port={port};User ID=admin;Password=admin;Pooling=false";
            async Task Exec(string sql)
            {
                await using var c = new MySqlConnection(cs);
                await c.OpenAsync(Ct);
                await new MySqlCommand(sql, c).ExecuteNonQueryAsync(Ct);
            }

            await Exec("CREATE DATABASE IF NOT EXISTS arch; CREATE TABLE IF NOT EXISTS arch.t (id INT PRIMARY KEY AUTO_INCREMENT, v INT); INSERT INTO arch.t (v) VALUES (1), (2);");
            await BackupHarness.SucceedAsync(service.StartArchive(rotate: true));
            await Exec("INSERT INTO arch.t (v) VALUES (3)");
            await Replication.TopologyScriptAsync(["stop", p], TimeSpan.FromSeconds(90), Ct);
            await Replication.TopologyScriptAsync(["start", p], TimeSpan.FromSeconds(90), Ct);
            await Exec("INSERT INTO arch.t (v) VALUES (4)");
            await BackupHarness.SucceedAsync(service.StartArchive(rotate: true));
            await BackupHarness.SucceedAsync(service.StartArchive(rotate: true)); // nothing new: no duplicate

            ArchiveIndex archive = await service.Repository.LoadArchiveAsync(Ct);
            Assert.Equal(archive.Files.Count, archive.Files.Select(f => f.Name).Distinct().Count());
            ArchiveStatus status = await service.ArchiveStatusAsync(Ct);
            Assert.Empty(status.Range.Gaps);

            // Every transaction the server logged is in exactly one archived file, in order.
            var seqs = new List<ulong>();
            foreach (ArchivedBinlog f in archive.Files.Where(f => f.FirstGtid is not null))
            {
                Assert.True(GtidPosition.TryParseOne(f.FirstGtid!, out _, out _, out ulong first));
                Assert.True(GtidPosition.TryParseOne(f.LastGtid!, out _, out _, out ulong last));
                Assert.Equal(f.Transactions, (int)(last - first + 1));
                seqs.Add(first);
                seqs.Add(last);
            }

            Assert.Equal(seqs.Order(), seqs);
            await using var check = new MySqlConnection(cs);
            await check.OpenAsync(Ct);
            string serverPos = (string)(await new MySqlCommand("SELECT @@gtid_binlog_pos", check).ExecuteScalarAsync(Ct))!;
            Assert.Equal(GtidPosition.Parse(serverPos).ToString(), archive.Files[^1].LastGtid is { } lg ? GtidPosition.Parse(lg).ToString() : archive.LastEndState);
            Assert.Equal(archive.Files.Sum(f => f.Transactions), (int)GtidPosition.Parse(serverPos).SeqOf(0));
        }
        finally
        {
            await Replication.TopologyScriptAsync(["remove-empty", p], TimeSpan.FromSeconds(60), CancellationToken.None);
        }
    }
}
