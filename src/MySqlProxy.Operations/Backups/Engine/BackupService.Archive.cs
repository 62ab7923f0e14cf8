using System.Globalization;
using MySqlConnector;
using MySqlProxy.Operations.Backups.Binlogs;
using MySqlProxy.Operations.Backups.Repository;
using MySqlProxy.Operations.Diagnostics;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Backups.Engine;

/// <summary>
/// Binlog archiving: each closed binlog of the primary is fetched whole (<c>mariadb-binlog
/// --read-from-remote-server --raw</c>, one file per call), read for its GTID range and times, compressed,
/// encrypted, stored, checked and indexed. Every run starts from the list of binlogs on the server, so a
/// restart of the server (which closes the open file and starts a new one) or of the proxy loses nothing and
/// archives nothing twice; the open file is closed (<c>FLUSH BINARY LOGS</c>) once it holds changes older than
/// <c>rotate_after</c>, which bounds the recovery point.
/// </summary>
public sealed partial class BackupService
{
    /// <summary>One archiving pass (the background loop and <c>POST /api/backups/archive</c>).</summary>
    public async Task<object?> ArchiveAsync(Job? job, bool rotate, CancellationToken ct)
    {
        await _archiveLock.WaitAsync(ct).ConfigureAwait(false);
        string work = WorkDir("archive");
        int archived = 0;
        try
        {
            job?.SetStep("listing the primary's binlogs");
            await using MySqlConnection connection = await OpenPrimaryAsync(ct).ConfigureAwait(false);
            ArchiveIndex archive = await Repository.LoadArchiveAsync(ct).ConfigureAwait(false);
            List<string> logs = await BinaryLogsAsync(connection, ct).ConfigureAwait(false);
            if (logs.Count == 0)
            {
                throw new JobFailedException("the primary has no binary logs (log_bin is off): binlog archiving needs log_bin");
            }

            string current = Convert.ToString(await new MySqlCommand("SELECT @@gtid_binlog_pos", connection).ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? string.Empty;
            GtidPosition archivedEnd = EndOf(archive);
            bool behind = !archivedEnd.Covers(GtidPosition.Parse(current));
            TimeSpan rotateAfter = _options.BinlogArchive.RotateAfter.Value;
            if (behind && (rotate || (rotateAfter > TimeSpan.Zero && _time.GetUtcNow() - _lastRotation >= rotateAfter)))
            {
                job?.SetStep("closing the open binlog (FLUSH BINARY LOGS)");
                await new MySqlCommand("FLUSH BINARY LOGS", connection).ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                _lastRotation = _time.GetUtcNow();
                logs = await BinaryLogsAsync(connection, ct).ConfigureAwait(false);
            }

            var have = archive.Files.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            string? newest = archive.LastArchived ?? (archive.Files.Count == 0 ? null : archive.Files[^1].Name);
            string credentials = WriteCredentials(work);
            foreach (string name in logs.Take(logs.Count - 1))
            {
                if (have.Contains(name) || (newest is not null && string.CompareOrdinal(name, newest) <= 0))
                {
                    continue;
                }

                job?.SetStep($"archiving {name}");
                await ToolProcess.RunAsync("mariadb-binlog", [$"--defaults-file={credentials}", "--read-from-remote-server", "--raw", $"--result-file={work}/", name], null, null, ct).ConfigureAwait(false);
                string path = Path.Combine(work, name);
                byte[] bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
                BinlogFileInfo info = BinlogFileInfo.Read(bytes);
                StoredObject stored = await Repository.StoreAsync(
                    BackupRepository.BinlogKey(info.ServerId, name),
                    (sink, token) => sink.WriteAsync(bytes, token).AsTask(),
                    n => job?.AddBytes(n),
                    ct).ConfigureAwait(false);
                var entry = new ArchivedBinlog
                {
                    Name = name,
                    ServerId = info.ServerId,
                    Stored = stored,
                    StartState = info.StartState,
                    FirstGtid = info.FirstGtid,
                    LastGtid = info.LastGtid,
                    FirstTime = info.FirstTime,
                    LastTime = info.LastTime,
                    Transactions = info.Transactions,
                };
                await _indexLock.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    ArchiveIndex latest = await Repository.LoadArchiveAsync(ct).ConfigureAwait(false);
                    await Repository.SaveArchiveAsync(latest with
                    {
                        Files = [.. latest.Files.Where(f => f.Name != name), entry],
                        LastArchived = name,
                        LastEndState = EndOf([entry]).ToString(),
                    }, ct).ConfigureAwait(false);
                }
                finally
                {
                    _indexLock.Release();
                }

                File.Delete(path);
                archived++;
                job?.Log($"archived {name}: {info.Transactions} transactions, GTID {info.FirstGtid ?? "-"}..{info.LastGtid ?? "-"}, until {info.LastTime:O}");
            }

            Archiver = new ArchiverStatus(_time.GetUtcNow(), null, archived);
            return new { archived, files = logs.Count - 1 };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Archiver = new ArchiverStatus(_time.GetUtcNow(), ex.Message, archived);
            throw;
        }
        finally
        {
            TryDelete(work);
            _archiveLock.Release();
        }
    }

    /// <summary>Runs <see cref="ArchiveAsync"/> every <c>binlog_archive.interval</c> until stopped; failures are logged and shown, never fatal.</summary>
    public async Task RunArchiverAsync(CancellationToken ct)
    {
        TimeSpan interval = _options.BinlogArchive.Interval.Value;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ArchiveAsync(null, rotate: false, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ArchivingFailed(_logger, interval, ex.Message);
            }

            try
            {
                await Task.Delay(interval, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private static GtidPosition EndOf(ArchiveIndex archive) =>
        archive.Files.Count > 0 ? EndOf([archive.Files[^1]]) : GtidPosition.Parse(archive.LastEndState);

    private static GtidPosition EndOf(ArchivedBinlog[] last) =>
        GtidPosition.Parse(string.Join(',', new[] { last[0].StartState, last[0].LastGtid ?? string.Empty }.Where(s => s.Length > 0)));

    private static async Task<List<string>> BinaryLogsAsync(MySqlConnection connection, CancellationToken ct)
    {
        var logs = new List<string>();
        await using MySqlDataReader reader = await new MySqlCommand("SHOW BINARY LOGS", connection).ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            logs.Add(reader.GetString(0));
        }

        return logs;
    }
}
