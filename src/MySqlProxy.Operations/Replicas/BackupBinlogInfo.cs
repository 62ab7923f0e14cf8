namespace MySqlProxy.Operations.Replicas;

/// <summary>
/// <c>mariadb_backup_binlog_info</c>, written by mariadb-backup: the primary's binlog file, offset and GTID position
/// at the backup's consistent point, separated by tabs (<c>mysql-bin.000002\t1234\t0-1-57</c>; the GTID part may
/// list several domains, comma-separated).
/// </summary>
internal sealed record BackupBinlogInfo(string File, long Position, string GtidPosition)
{
    public const string FileName = "mariadb_backup_binlog_info";

    /// <summary>The name mariadb-backup gives the file up to 10.11 (renamed in later series).</summary>
    public const string OldFileName = "xtrabackup_binlog_info";

    /// <summary>Reads the file from a backup directory, by its current or its older name.</summary>
    public static async Task<BackupBinlogInfo> ReadAsync(string backupDirectory, CancellationToken ct)
    {
        foreach (string name in new[] { FileName, OldFileName })
        {
            string path = Path.Combine(backupDirectory, name);
            if (System.IO.File.Exists(path))
            {
                return Parse(await System.IO.File.ReadAllTextAsync(path, ct).ConfigureAwait(false));
            }
        }

        throw new Jobs.JobFailedException($"the backup has neither {FileName} nor {OldFileName}: mariadb-backup recorded no binlog position (was the primary's binary log on?)");
    }

    public static BackupBinlogInfo Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split('\t', StringSplitOptions.TrimEntries);
        if (parts.Length < 3 || parts[0].Length == 0 || !long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long position))
        {
            throw new Jobs.JobFailedException($"{FileName} does not hold 'file<TAB>position<TAB>gtid' ('{text.Trim()}'): was the primary's binary log on during the backup?");
        }

        return new BackupBinlogInfo(parts[0], position, parts[2].Replace(" ", string.Empty, StringComparison.Ordinal));
    }
}
