using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Operations.Backups.Crypto;
using MySqlProxy.Operations.Backups.Planning;
using MySqlProxy.Operations.Backups.Repository;
using MySqlProxy.Operations.Backups.Storage;
using MySqlProxy.Operations.Diagnostics;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Backups.Engine;

/// <summary>
/// The physical backup work of one database host: full and incremental backups of the primary with
/// mariadb-backup streamed into the repository, verifications and restores (prepare, start, check), point-in-
/// time recovery from archived binlogs, archiving, and retention. Runs where the primary's datadir is: inside
/// the proxy, or inside <c>mysqlproxy agent</c> on the database host. Each operation is a job; backups share
/// the chain <c>backup</c>, so two never overlap.
/// </summary>
public sealed partial class BackupService : IDisposable
{
    public const string BackupChain = "backup";
    public const string ArchiveChain = "archive";

    private static readonly TimeSpan ServerStartTimeout = TimeSpan.FromSeconds(90);

    private readonly BackupsOptions _options;
    private readonly BackendOptions _primary;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _indexLock = new(1, 1);
    private readonly SemaphoreSlim _archiveLock = new(1, 1);
    private readonly Lazy<BackupRepository> _repository;
    private DateTimeOffset _lastRotation;

    public BackupService(BackupsOptions options, BackendOptions primary, JobManager jobs, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _primary = primary;
        Jobs = jobs;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _lastRotation = _time.GetUtcNow();
        _repository = new Lazy<BackupRepository>(() => OpenRepository(options), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public JobManager Jobs { get; }

    public BackupsOptions Options => _options;

    /// <summary>The repository (opened at first use; a missing key or bad store fails here, naming the key).</summary>
    public BackupRepository Repository => _repository.Value;

    /// <summary>The binlog archiver's last run and failure.</summary>
    public ArchiverStatus Archiver { get; private set; } = new(null, null, 0);

    public static BackupRepository OpenRepository(BackupsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        BackupKey key = BackupKey.Load(options.Encryption);
        IBackupStore store = !string.IsNullOrWhiteSpace(options.Repository.S3.Bucket)
            ? new S3Store(options.Repository.S3)
            : new FileSystemStore(options.Repository.Path);
        return new BackupRepository(store, key, options.CompressionLevel);
    }

    public void Dispose()
    {
        _indexLock.Dispose();
        _archiveLock.Dispose();
        if (_repository.IsValueCreated && _repository.Value.Store is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Jobs

    /// <summary>Starts a full or incremental backup (chain <c>backup</c>: never two at once).</summary>
    public Job StartBackup(BackupType type) =>
        Jobs.Start("backup", BackupChain, new Dictionary<string, string> { ["type"] = type == BackupType.Full ? "full" : "incremental" },
            async job => await RunBackupAsync(job, type).ConfigureAwait(false));

    /// <summary>Starts a restore test of one backup.</summary>
    public Job StartVerify(string label) =>
        Jobs.Start("verify", "verify", new Dictionary<string, string> { ["backup"] = label },
            async job => await RunVerifyAsync(job, label).ConfigureAwait(false));

    /// <summary>Starts a restore into a new datadir.</summary>
    public Job StartRestore(RestoreRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = new Dictionary<string, string> { ["target_dir"] = request.TargetDir };
        if (request.Backup is not null)
        {
            parameters["backup"] = request.Backup;
        }

        if (request.Time is { } t)
        {
            parameters["time"] = RecoveryPlanner.Format(t);
        }

        if (request.Gtid is not null)
        {
            parameters["gtid"] = request.Gtid;
        }

        if (request.Port is int port)
        {
            parameters["port"] = port.ToString(CultureInfo.InvariantCulture);
        }

        return Jobs.Start("restore", $"restore:{request.TargetDir}", parameters, async job => await RunRestoreAsync(job, request).ConfigureAwait(false));
    }

    /// <summary>Closes the open binlog (when it holds changes) and archives every closed one now.</summary>
    public Job StartArchive(bool rotate) =>
        Jobs.Start("archive", ArchiveChain, new Dictionary<string, string> { ["rotate"] = rotate ? "true" : "false" },
            async job => await ArchiveAsync(job, rotate, job.CancellationToken).ConfigureAwait(false));

    /// <summary>Complete backups, oldest first.</summary>
    public async Task<IReadOnlyList<BackupRecord>> ListAsync(CancellationToken cancellationToken) =>
        (await Repository.LoadIndexAsync(cancellationToken).ConfigureAwait(false)).Backups;

    /// <summary>What the binlog archive covers, and the archiver's state.</summary>
    public async Task<ArchiveStatus> ArchiveStatusAsync(CancellationToken cancellationToken)
    {
        ArchiveIndex archive = await Repository.LoadArchiveAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<BackupRecord> backups = await ListAsync(cancellationToken).ConfigureAwait(false);
        ArchiveRange range = RecoveryPlanner.Describe(archive.Files, backups);
        return new ArchiveStatus(_options.BinlogArchive.Enabled, range, archive.Files.Count, archive.Files.Sum(f => f.Stored.Size), Archiver);
    }

    // ------------------------------------------------------------------------------------------------
    // Backup

    internal async Task<object?> RunBackupAsync(Job job, BackupType type)
    {
        CancellationToken ct = job.CancellationToken;
        job.SetStep("reading the repository index");
        BackupIndex index = await Repository.LoadIndexAsync(ct).ConfigureAwait(false);
        BackupRecord? parent = null;
        if (type == BackupType.Incremental)
        {
            parent = (index.Backups.Count > 0 ? index.Backups[^1] : null) ??
                throw new JobFailedException("no backup to base an incremental on: take a full backup first (POST /api/backups {\"type\":\"full\"})");
        }

        DateTimeOffset started = _time.GetUtcNow();
        string label = parent is null ? BackupLabel.Full(started) : BackupLabel.Incremental(parent.Full, started);
        while (index.Backups.Any(b => b.Label == label || (b.Type == BackupType.Full && parent is null && b.Label == label)) ||
               (parent is not null && BackupLabel.Compare(label, parent.Label) <= 0))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300), ct).ConfigureAwait(false);
            started = _time.GetUtcNow();
            label = parent is null ? BackupLabel.Full(started) : BackupLabel.Incremental(parent.Full, started);
        }

        job.Log($"label {label}{(parent is null ? string.Empty : $", incremental on {parent.Label} from LSN {parent.ToLsn}")}");
        string work = WorkDir($"backup-{label}");
        try
        {
            string lsnDir = Path.Combine(work, "lsn");
            string tmpDir = Path.Combine(work, "tmp");
            Directory.CreateDirectory(lsnDir);
            Directory.CreateDirectory(tmpDir);
            string credentials = WriteCredentials(work);
            job.SetTotal(type == BackupType.Full ? await EstimateSizeAsync(ct).ConfigureAwait(false) : null);

            var args = new List<string>
            {
                $"--defaults-file={credentials}",
                "--backup",
                "--stream=xbstream",
                $"--target-dir={tmpDir}",
                $"--extra-lsndir={lsnDir}",
            };
            if (parent is not null)
            {
                args.Add($"--incremental-lsn={parent.ToLsn}");
            }

            job.SetStep(type == BackupType.Full ? "streaming a full backup into the repository" : "streaming an incremental backup into the repository");
            StoredObject data = await Repository.StoreAsync(
                BackupRepository.DataKey(label),
                (sink, token) => ToolProcess.RunAsync("mariadb-backup", args, (stdout, t) => stdout.CopyToAsync(sink, 1 << 16, t), null, token),
                job.AddBytes,
                ct).ConfigureAwait(false);
            job.Log($"stored {data.RawSize} bytes as {data.Size} ({data.Sha256[..16]}...), checked against the manifest");

            job.SetStep("writing the manifest");
            Dictionary<string, string> checkpoints = ReadKeyValues(Path.Combine(lsnDir, "xtrabackup_checkpoints"));
            Dictionary<string, string> info = ReadKeyValues(Path.Combine(lsnDir, "xtrabackup_info"));
            (string gtid, string binlogFile, long binlogPosition) = ParseBinlogPos(info.GetValueOrDefault("binlog_pos"));
            var record = new BackupRecord
            {
                Label = label,
                Type = type,
                Parent = parent?.Label,
                Full = parent?.Full ?? label,
                StartedAt = started,
                StoppedAt = _time.GetUtcNow(),
                FromLsn = long.Parse(checkpoints.GetValueOrDefault("from_lsn", "0"), CultureInfo.InvariantCulture),
                ToLsn = long.Parse(checkpoints.GetValueOrDefault("to_lsn", "0"), CultureInfo.InvariantCulture),
                Gtid = gtid,
                BinlogFile = binlogFile,
                BinlogPosition = binlogPosition,
                ServerVersion = info.GetValueOrDefault("server_version", string.Empty),
                RawBytes = data.RawSize,
                StoredBytes = data.Size,
                KeyId = Repository.Key.Id,
                Objects = [data],
            };
            await PutRecordAsync(record, ct).ConfigureAwait(false);
            job.Log($"backup {label} complete: GTID {gtid}, LSN {record.FromLsn}..{record.ToLsn}");

            job.SetStep("applying retention");
            RetentionPlan plan = await ApplyRetentionAsync(ct).ConfigureAwait(false);
            foreach (BackupRecord expired in plan.Expired)
            {
                job.Log($"retention: expired backup {expired.Label}");
            }

            if (plan.ExpiredBinlogs.Count > 0)
            {
                job.Log($"retention: expired {plan.ExpiredBinlogs.Count} archived binlogs up to {plan.ExpiredBinlogs[^1].Name}");
            }

            return Summary(record);
        }
        finally
        {
            TryDelete(work);
        }
    }

    /// <summary>Deletes what the retention policy no longer needs (after each backup, as pgBackRest does).</summary>
    public async Task<RetentionPlan> ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        await _indexLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            BackupIndex index = await Repository.LoadIndexAsync(cancellationToken).ConfigureAwait(false);
            ArchiveIndex archive = await Repository.LoadArchiveAsync(cancellationToken).ConfigureAwait(false);
            RetentionPlan plan = RetentionPolicy.Plan(index.Backups, archive.Files, _options.Retention, _time.GetUtcNow());
            foreach (BackupRecord expired in plan.Expired)
            {
                await Repository.DeleteBackupAsync(expired.Label, cancellationToken).ConfigureAwait(false);
            }

            if (plan.ExpiredBinlogs.Count > 0)
            {
                var gone = plan.ExpiredBinlogs.Select(b => b.Stored.Key).ToHashSet(StringComparer.Ordinal);
                await Repository.SaveArchiveAsync(archive with { Files = [.. archive.Files.Where(f => !gone.Contains(f.Stored.Key))] }, cancellationToken).ConfigureAwait(false);
                foreach (string key in gone)
                {
                    await Repository.Store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
                }
            }

            return plan;
        }
        finally
        {
            _indexLock.Release();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Verify and restore

    internal async Task<object?> RunVerifyAsync(Job job, string label)
    {
        CancellationToken ct = job.CancellationToken;
        job.SetStep("planning");
        IReadOnlyList<BackupRecord> backups = await ListAsync(ct).ConfigureAwait(false);
        RecoveryPlan plan = Plan(backups, [], new RecoveryTarget(Backup: label));
        string work = WorkDir($"verify-{label}");
        VerificationResult result;
        Dictionary<string, long?> checksums = [];
        BackupRecord record = plan.Base;
        try
        {
            string datadir = Path.Combine(work, "data");
            await RestoreChainAsync(job, plan.Chain, work, datadir, ct).ConfigureAwait(false);
            job.SetStep("starting a scratch server on the restored datadir");
            await using ScratchServer server = await ScratchServer.StartAsync(datadir, Path.Combine(work, "run"), null, skipGrants: true, ServerStartTimeout, ct).ConfigureAwait(false);
            job.SetStep("CHECK TABLE and CHECKSUM TABLE on every table");
            (int tables, List<string> problems, checksums) = await CheckTablesAsync(server, ct).ConfigureAwait(false);
            bool? match = null;
            if (record.Checksums.Count > 0)
            {
                List<string> differ = [.. record.Checksums.Where(c => !checksums.TryGetValue(c.Key, out long? v) || v != c.Value).Select(c => c.Key)];
                match = differ.Count == 0;
                if (differ.Count > 0)
                {
                    problems.Add($"checksums differ from the first verification for {string.Join(", ", differ.Take(10))}");
                }
            }

            result = problems.Count == 0
                ? new VerificationResult(_time.GetUtcNow(), true, $"restored, prepared and started; {tables} tables checked", tables, match, job.Id)
                : new VerificationResult(_time.GetUtcNow(), false, string.Join("; ", problems.Take(10)), tables, match, job.Id);
        }
        catch (Exception ex) when (ex is JobFailedException or BackupIntegrityException)
        {
            result = new VerificationResult(_time.GetUtcNow(), false, ex.Message, 0, null, job.Id);
        }
        finally
        {
            TryDelete(work);
        }

        job.SetStep("recording the result in the backup's history");
        BackupRecord current = await Repository.LoadManifestAsync(label, CancellationToken.None).ConfigureAwait(false) ?? record;
        await PutRecordAsync(current with
        {
            Verifications = [.. current.Verifications.TakeLast(19), result],
            Checksums = current.Checksums.Count == 0 && result.Ok ? checksums : current.Checksums,
        }, CancellationToken.None).ConfigureAwait(false);
        if (!result.Ok)
        {
            throw new JobFailedException($"backup {label} failed verification: {result.Message}");
        }

        return new { backup = label, verified = true, tables = result.Tables, checksums_match = result.ChecksumsMatch, message = result.Message };
    }

    internal async Task<object?> RunRestoreAsync(Job job, RestoreRequest request)
    {
        CancellationToken ct = job.CancellationToken;
        job.SetStep("planning");
        string target = Path.GetFullPath(request.TargetDir);
        await CheckRestoreTargetAsync(target, request, ct).ConfigureAwait(false);
        IReadOnlyList<BackupRecord> backups = await ListAsync(ct).ConfigureAwait(false);
        ArchiveIndex archive = request.Time is null && request.Gtid is null ? new ArchiveIndex() : await Repository.LoadArchiveAsync(ct).ConfigureAwait(false);
        RecoveryPlan plan = Plan(backups, archive.Files, new RecoveryTarget(request.Backup, request.Time, request.Gtid));
        job.Log($"base {plan.Base.Label} (chain {string.Join(" -> ", plan.Chain.Select(b => b.Label))}), {plan.Binlogs.Count} binlogs to replay, target {plan.Target}");
        string work = WorkDir($"restore-{Path.GetFileName(target)}");
        ScratchServer? left = null;
        try
        {
            await RestoreChainAsync(job, plan.Chain, work, target, ct).ConfigureAwait(false);
            if (plan.Binlogs.Count > 0)
            {
                await ReplayAsync(job, plan, target, work, ct).ConfigureAwait(false);
            }

            if (request.Port is int port)
            {
                job.SetStep($"starting the restored server on 127.0.0.1:{port}");
                string run = Path.Combine(Path.GetDirectoryName(target)!, Path.GetFileName(target) + ".run");
                left = await ScratchServer.StartAsync(target, run, port, skipGrants: false, ServerStartTimeout, ct).ConfigureAwait(false);
                left.Detach();
            }

            return new
            {
                datadir = target,
                @base = plan.Base.Label,
                chain = plan.Chain.Select(b => b.Label).ToArray(),
                binlogs = plan.Binlogs.Select(b => b.Name).ToArray(),
                target = plan.Target.ToString(),
                gtid = plan.Base.Gtid,
                port = request.Port,
                pid = left?.ProcessId,
                socket = left?.Socket,
            };
        }
        finally
        {
            TryDelete(work);
        }
    }

    /// <summary>The plan for a restore; throws <see cref="RecoveryRangeException"/> for a target that is not covered.</summary>
    public async Task<RecoveryPlan> PlanAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        IReadOnlyList<BackupRecord> backups = await ListAsync(cancellationToken).ConfigureAwait(false);
        ArchiveIndex archive = request.Time is null && request.Gtid is null ? new ArchiveIndex() : await Repository.LoadArchiveAsync(cancellationToken).ConfigureAwait(false);
        return RecoveryPlanner.Plan(backups, archive.Files, new RecoveryTarget(request.Backup, request.Time, request.Gtid));
    }

    private RecoveryPlan Plan(IReadOnlyList<BackupRecord> backups, IReadOnlyList<ArchivedBinlog> binlogs, RecoveryTarget target)
    {
        try
        {
            return RecoveryPlanner.Plan(backups, binlogs, target);
        }
        catch (RecoveryRangeException ex)
        {
            throw new JobFailedException(ex.Message, ex);
        }
    }

    private async Task CheckRestoreTargetAsync(string target, RestoreRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.TargetDir))
        {
            throw new JobFailedException("target_dir: required (a new datadir for the restored server)");
        }

        string? primaryDatadir = null;
        try
        {
            await using MySqlConnection connection = await OpenPrimaryAsync(ct).ConfigureAwait(false);
            primaryDatadir = Convert.ToString(await new MySqlCommand("SELECT @@datadir", connection).ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        catch (MySqlException)
        {
            // The primary may be the thing being recovered; then it is not running over the target either.
        }

        if (primaryDatadir is not null && Path.GetFullPath(primaryDatadir).TrimEnd('/') == target.TrimEnd('/'))
        {
            throw new JobFailedException($"target_dir: {target} is the datadir of the running primary; a restore never goes over a running server (stop it first, or restore elsewhere)");
        }

        if (request.Port is int port && (port == _primary.Port || port is < 1 or > 65535))
        {
            throw new JobFailedException($"port: {port} is the primary's port or not a port");
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            if (!request.Force)
            {
                throw new JobFailedException($"target_dir: {target} is not empty (restores go to a new datadir; force: true moves its content aside)");
            }

            string aside = $"{target}.before-restore-{_time.GetUtcNow():yyyyMMddHHmmss}";
            Directory.Move(target, aside);
        }
    }

    /// <summary>Fetches, unpacks and prepares a chain of backups (full first) into <paramref name="datadir"/>.</summary>
    private async Task RestoreChainAsync(Job job, IReadOnlyList<BackupRecord> chain, string work, string datadir, CancellationToken ct)
    {
        job.SetTotal(chain.Sum(b => b.StoredBytes));
        var dirs = new List<string>();
        foreach (BackupRecord backup in chain)
        {
            if (backup.KeyId.Length > 0 && backup.KeyId != Repository.Key.Id)
            {
                throw new BackupIntegrityException($"backup {backup.Label} was encrypted with key {backup.KeyId}, but the configured key is {Repository.Key.Id} (wrong key: check backups.encryption)");
            }

            string dir = Path.Combine(work, "chain", backup.Label);
            Directory.CreateDirectory(dir);
            job.SetStep($"fetching and unpacking {backup.Label}");
            foreach (StoredObject stored in backup.Objects)
            {
                await Repository.ReadAsync(
                    stored,
                    (source, token) => ToolProcess.RunAsync("mbstream", ["-x", "-C", dir], null, (stdin, t) => source.CopyToAsync(stdin, 1 << 16, t), token),
                    job.AddBytes,
                    ct).ConfigureAwait(false);
            }

            dirs.Add(dir);
        }

        job.SetStep($"preparing {chain[0].Label}");
        await ToolProcess.RunAsync("mariadb-backup", ["--no-defaults", "--prepare", $"--target-dir={dirs[0]}"], null, null, ct).ConfigureAwait(false);
        for (int i = 1; i < chain.Count; i++)
        {
            job.SetStep($"applying incremental {chain[i].Label}");
            await ToolProcess.RunAsync("mariadb-backup", ["--no-defaults", "--prepare", $"--target-dir={dirs[0]}", $"--incremental-dir={dirs[i]}"], null, null, ct).ConfigureAwait(false);
        }

        job.SetStep($"moving the prepared datadir to {datadir}");
        if (Directory.Exists(datadir))
        {
            Directory.Delete(datadir);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(datadir)!);
        try
        {
            Directory.Move(dirs[0], datadir);
        }
        catch (IOException)
        {
            // Another filesystem: copy.
            CopyDirectory(dirs[0], datadir);
        }
    }

    private async Task ReplayAsync(Job job, RecoveryPlan plan, string datadir, string work, CancellationToken ct)
    {
        string binlogDir = Path.Combine(work, "binlogs");
        Directory.CreateDirectory(binlogDir);
        job.SetTotal(plan.Binlogs.Sum(b => b.Stored.Size));
        var files = new List<string>();
        foreach (ArchivedBinlog binlog in plan.Binlogs)
        {
            job.SetStep($"fetching binlog {binlog.Name}");
            string path = Path.Combine(binlogDir, binlog.Name);
            await Repository.ReadAsync(binlog.Stored, async (source, token) =>
            {
                await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await source.CopyToAsync(file, token).ConfigureAwait(false);
            }, job.AddBytes, ct).ConfigureAwait(false);
            files.Add(path);
        }

        job.SetStep("starting the restored server for binlog replay");
        await using ScratchServer server = await ScratchServer.StartAsync(datadir, Path.Combine(work, "run"), null, skipGrants: true, ServerStartTimeout, ct).ConfigureAwait(false);
        var args = new List<string> { "--no-defaults" };
        if (!string.IsNullOrEmpty(plan.StartGtid))
        {
            args.Add($"--start-position={plan.StartGtid}");
        }

        if (plan.Target.Time is { } time)
        {
            args.Add($"--stop-datetime={time.UtcDateTime:yyyy-MM-dd HH:mm:ss}");
        }
        else if (plan.Target.Gtid is { } gtid)
        {
            args.Add($"--stop-position={gtid}");
        }

        args.AddRange(files);
        job.SetStep($"replaying {files.Count} binlogs up to {plan.Target}");
        var utc = new Dictionary<string, string> { ["TZ"] = "UTC" };
        await ToolProcess.RunAsync("mariadb-binlog", args, (events, token) =>
            ToolProcess.RunAsync("mariadb", ["--no-defaults", "--protocol=socket", $"--socket={server.Socket}", "-uroot", "--binary-mode"], null,
                (stdin, t) => events.CopyToAsync(stdin, 1 << 16, t), token), null, ct, utc).ConfigureAwait(false);
        await using (var connection = new MySqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            string reached = Convert.ToString(await new MySqlCommand("SELECT @@gtid_slave_pos", connection).ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? string.Empty;
            job.Log($"replayed; the restored server's last replayed GTID (gtid_slave_pos) is '{reached}'");
        }
    }

    private static async Task<(int Tables, List<string> Problems, Dictionary<string, long?> Checksums)> CheckTablesAsync(ScratchServer server, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(server.ConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        var tables = new List<string>();
        await using (MySqlDataReader reader = await new MySqlCommand(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY 1, 2",
            connection).ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                tables.Add($"`{reader.GetString(0).Replace("`", "``", StringComparison.Ordinal)}`.`{reader.GetString(1).Replace("`", "``", StringComparison.Ordinal)}`");
            }
        }

        var problems = new List<string>();
        var checksums = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (string table in tables)
        {
            await using (MySqlDataReader check = await new MySqlCommand($"CHECK TABLE {table}", connection).ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await check.ReadAsync(ct).ConfigureAwait(false))
                {
                    string type = check.GetString(2);
                    string text = check.GetString(3);
                    if (type.Equals("error", StringComparison.OrdinalIgnoreCase) || (type.Equals("status", StringComparison.OrdinalIgnoreCase) && !text.Equals("OK", StringComparison.OrdinalIgnoreCase)))
                    {
                        problems.Add($"CHECK TABLE {table}: {text}");
                    }
                }
            }

            await using MySqlDataReader sum = await new MySqlCommand($"CHECKSUM TABLE {table}", connection).ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await sum.ReadAsync(ct).ConfigureAwait(false))
            {
                checksums[sum.GetString(0)] = sum.IsDBNull(1) ? null : Convert.ToInt64(sum.GetValue(1), CultureInfo.InvariantCulture);
            }
        }

        return (tables.Count, problems, checksums);
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers

    private async Task PutRecordAsync(BackupRecord record, CancellationToken ct)
    {
        await _indexLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await Repository.PutRecordAsync(record, ct).ConfigureAwait(false);
        }
        finally
        {
            _indexLock.Release();
        }
    }

    private async Task<MySqlConnection> OpenPrimaryAsync(CancellationToken ct)
    {
        var connection = new MySqlConnection(new MySqlConnectionStringBuilder
        {
            Server = _primary.Host,
            Port = (uint)_primary.Port,
            UserID = _options.User,
            Password = _options.Password,
            Pooling = false,
            ConnectionTimeout = 5,
        }.ConnectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<long?> EstimateSizeAsync(CancellationToken ct)
    {
        try
        {
            await using MySqlConnection connection = await OpenPrimaryAsync(ct).ConfigureAwait(false);
            object? value = await new MySqlCommand("SELECT SUM(data_length + index_length) FROM information_schema.tables", connection).ExecuteScalarAsync(ct).ConfigureAwait(false);
            return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }
        catch (MySqlException ex)
        {
            throw new JobFailedException($"cannot connect to the primary {_primary.Host}:{_primary.Port} as backups.user '{_options.User}': {ex.Message}", ex);
        }
    }

    /// <summary>A defaults file with the backup login, readable only by this user (passwords never go on a command line).</summary>
    private string WriteCredentials(string dir)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "client.cnf");
        string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        string content = $"[client]\nhost={_primary.Host}\nport={_primary.Port.ToString(CultureInfo.InvariantCulture)}\nuser={Quote(_options.User)}\npassword={Quote(_options.Password)}\n";
        var mode = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            mode.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, mode))
        {
            file.Write(Encoding.UTF8.GetBytes(content));
        }

        return path;
    }

    private string WorkDir(string name)
    {
        string dir = Path.Combine(_options.WorkDir, $"{name}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.WorkDirNotDeleted(_logger, dir, ex.Message);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }

        Directory.Delete(from, recursive: true);
    }

    internal static Dictionary<string, string> ReadKeyValues(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (string line in File.ReadLines(path))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        return values;
    }

    /// <summary>Reads <c>filename 'mysql-bin.000001', position '1688', GTID of the last change '0-14306-7'</c>.</summary>
    internal static (string Gtid, string File, long Position) ParseBinlogPos(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return (string.Empty, string.Empty, 0);
        }

        System.Text.RegularExpressions.Match m = BinlogPos().Match(text);
        return m.Success
            ? (m.Groups["gtid"].Value, m.Groups["file"].Value, long.Parse(m.Groups["pos"].Value, CultureInfo.InvariantCulture))
            : (string.Empty, string.Empty, 0);
    }

    [System.Text.RegularExpressions.GeneratedRegex("filename '(?<file>[^']*)', position '(?<pos>[0-9]+)'(, GTID of the last change '(?<gtid>[^']*)')?")]
    private static partial System.Text.RegularExpressions.Regex BinlogPos();

    internal static object Summary(BackupRecord b) => new
    {
        label = b.Label,
        type = b.Type == BackupType.Full ? "full" : "incremental",
        parent = b.Parent,
        gtid = b.Gtid,
        from_lsn = b.FromLsn,
        to_lsn = b.ToLsn,
        raw_bytes = b.RawBytes,
        stored_bytes = b.StoredBytes,
        started_at = b.StartedAt,
        stopped_at = b.StoppedAt,
        verified = b.VerifiedState,
    };
}

/// <summary>The archiver's last run.</summary>
public sealed record ArchiverStatus(DateTimeOffset? LastRun, string? LastError, int ArchivedLastRun);

/// <summary>What <c>GET /api/backups/archive</c> shows.</summary>
public sealed record ArchiveStatus(bool Enabled, ArchiveRange Range, int Files, long StoredBytes, ArchiverStatus Archiver);
