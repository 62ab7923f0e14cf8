using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;
using MySqlProxy.Core.Configuration;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.Operations.Backups.Crypto;
using MySqlProxy.Operations.Backups.Engine;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.IntegrationTests.Backups;

/// <summary>
/// A repository, key and work directory of one test under /var/tmp, a backup service on the topology's primary,
/// and helpers to write data, capture CHECKSUM TABLE values and check restored servers. Deletes it all at the end.
/// </summary>
internal sealed class BackupHarness : IAsyncDisposable
{
    private readonly List<int> _servers = [];

    public BackupHarness(string name, Action<BackupsOptions>? configure = null)
    {
        string id = Guid.NewGuid().ToString("N")[..6];
        Root = $"/var/tmp/mpbk-{id}";
        Directory.CreateDirectory(Root);
        KeyFile = Path.Combine(Root, "key");
        File.WriteAllText(KeyFile, Convert.ToBase64String(BackupKey.Generate().Material.ToArray()));
        Schema = $"bk_{name}_{id}";
        Options = new BackupsOptions
        {
            Repository = new BackupRepositoryOptions { Path = Path.Combine(Root, "repo") },
            Encryption = new BackupEncryptionOptions { KeyFile = KeyFile },
            User = "admin",
            Password = "admin",
            WorkDir = Path.Combine(Root, "w"),
            BinlogArchive = new BinlogArchiveOptions { Enabled = false, RotateAfter = Duration.FromSeconds(0) },
        };
        configure?.Invoke(Options);
        Jobs = new JobManager(NullLogger.Instance);
        Service = NewService(Options);
    }

    public string Root { get; }

    public string KeyFile { get; }

    public string Schema { get; }

    public BackupsOptions Options { get; }

    public JobManager Jobs { get; }

    public BackupService Service { get; }

    public static BackendOptions Primary => new() { Name = "db1", Host = Topology.Primary.Address.ToString(), Port = Topology.Primary.Port };

    public BackupService NewService(BackupsOptions options) => new(options, Primary, Jobs, NullLogger.Instance);

    public static async Task<JobSnapshot> WaitAsync(Job job, TimeSpan? timeout = null)
    {
        await job.Finished.WaitAsync(timeout ?? TimeSpan.FromMinutes(3));
        return job.Snapshot();
    }

    public static async Task<JobSnapshot> SucceedAsync(Job job)
    {
        JobSnapshot s = await WaitAsync(job);
        Assert.True(s.State == JobState.Succeeded, $"job {s.Id} ({s.Kind}) ended {s.State} at '{s.FailedStep}': {s.Error}\n{string.Join("\n", s.Log.Select(l => l.Message))}");
        return s;
    }

    public async Task ExecAsync(string sql)
    {
        await using var c = new MySqlConnection(Topology.Direct("admin", "admin", string.Empty));
        await c.OpenAsync();
        await new MySqlCommand(sql, c).ExecuteNonQueryAsync();
    }

    public Task CreateTablesAsync() => ExecAsync(
        $"CREATE DATABASE `{Schema}`; CREATE TABLE `{Schema}`.t1 (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(100)) ENGINE=InnoDB; " +
        $"CREATE TABLE `{Schema}`.t2 (id INT PRIMARY KEY, n BIGINT) ENGINE=InnoDB;");

    /// <summary>Inserts a batch into both tables and updates a row, so each step changes every table.</summary>
    public Task WriteAsync(string tag, int rows = 50) => ExecAsync(
        $"INSERT INTO `{Schema}`.t1 (v) SELECT CONCAT('{tag}-', seq) FROM `{Schema}`.seq_1_to_{rows}; " +
        $"INSERT INTO `{Schema}`.t2 (id, n) SELECT seq + (SELECT COALESCE(MAX(id), 0) FROM `{Schema}`.t2), seq * 7 FROM `{Schema}`.seq_1_to_{rows}; " +
        $"UPDATE `{Schema}`.t2 SET n = n + 1 WHERE id = 1;");

    /// <summary>CHECKSUM TABLE of every table of the test's schema on the primary.</summary>
    public Task<Dictionary<string, long>> PrimaryChecksumsAsync() => ChecksumsAsync(Topology.Direct("admin", "admin", string.Empty));

    public Task<Dictionary<string, long>> ChecksumsAtAsync(int port) =>
        ChecksumsAsync($"Server=127.0.0.1;Port={port};User ID=admin;Password=admin;Pooling=false");

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Restores with <paramref name="request"/> plus a fresh target dir and port, returns the checksums there, then stops that server.</summary>
    public async Task<Dictionary<string, long>> RestoreAndChecksumAsync(RestoreRequest request, string name)
    {
        int port = FreePort();
        JobSnapshot s = await SucceedAsync(Service.StartRestore(request with { TargetDir = Path.Combine(Root, "r-" + name), Port = port }));
        int pid = (int)s.Result!.GetType().GetProperty("pid")!.GetValue(s.Result)!;
        _servers.Add(pid);
        try
        {
            return await ChecksumsAtAsync(port);
        }
        finally
        {
            await StopAsync(pid);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (int pid in _servers)
        {
            await StopAsync(pid);
        }

        await Jobs.StopAsync(TimeSpan.FromSeconds(30));
        Service.Dispose();
        try
        {
            await ExecAsync($"DROP DATABASE IF EXISTS `{Schema}`");
        }
        catch (MySqlException)
        {
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<Dictionary<string, long>> ChecksumsAsync(string connectionString)
    {
        await using var c = new MySqlConnection(connectionString);
        await c.OpenAsync();
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string t in new[] { "t1", "t2" })
        {
            await using MySqlDataReader r = await new MySqlCommand($"CHECKSUM TABLE `{Schema}`.{t}", c).ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                result[t] = Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture);
            }
        }

        return result;
    }

    private static async Task StopAsync(int pid)
    {
        try
        {
            using Process p = Process.GetProcessById(pid);
            Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }
}
