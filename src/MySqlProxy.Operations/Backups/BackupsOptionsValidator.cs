using MySqlProxy.Core.Configuration;
using MySqlProxy.Operations.Backups.Planning;

namespace MySqlProxy.Operations.Backups;

/// <summary>Checks <c>backups</c> in proxy.yaml; every failure names the key. Secrets are never echoed.</summary>
public static class BackupsOptionsValidator
{
    public static IReadOnlyList<string> Validate(BackupsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        bool s3 = !string.IsNullOrWhiteSpace(options.Repository.S3.Bucket);
        if (!string.IsNullOrWhiteSpace(options.Repository.Path) && s3)
        {
            failures.Add("backups.repository: set path or s3.bucket, not both");
        }

        CheckAgent(options, failures);
        if (!options.IsEnabled())
        {
            if (string.IsNullOrEmpty(options.Agent.Url) && (options.Schedules.Count > 0 || options.BinlogArchive.Enabled))
            {
                failures.Add("backups.repository: schedules and binlog archiving need a repository (path or s3.bucket)");
            }

            return failures;
        }

        if (!string.IsNullOrWhiteSpace(options.Repository.Path) && !Path.IsPathRooted(options.Repository.Path))
        {
            failures.Add($"backups.repository.path: '{options.Repository.Path}' must be an absolute path");
        }

        if (s3)
        {
            if (!string.IsNullOrEmpty(options.Repository.S3.Endpoint) && !Uri.TryCreate(options.Repository.S3.Endpoint, UriKind.Absolute, out _))
            {
                failures.Add($"backups.repository.s3.endpoint: '{options.Repository.S3.Endpoint}' is not a URL");
            }

            if (string.IsNullOrEmpty(options.Repository.S3.AccessKey))
            {
                failures.Add("backups.repository.s3.access_key: required");
            }

            if (string.IsNullOrEmpty(options.Repository.S3.SecretKey) && string.IsNullOrEmpty(options.Repository.S3.SecretKeyEnv))
            {
                failures.Add("backups.repository.s3: set secret_key_env (or secret_key)");
            }

            if (options.Repository.S3.PartSizeMb is < 5 or > 1024)
            {
                failures.Add("backups.repository.s3.part_size_mb: must be 5-1024");
            }
        }

        bool file = !string.IsNullOrEmpty(options.Encryption.KeyFile);
        bool env = !string.IsNullOrEmpty(options.Encryption.KeyEnv);
        if (file == env)
        {
            failures.Add("backups.encryption: set exactly one of key_file or key_env (backups are always encrypted)");
        }

        if (options.CompressionLevel is < 1 or > 22)
        {
            failures.Add($"backups.compression_level: {options.CompressionLevel} is not a zstd level (1-22)");
        }

        if (string.IsNullOrWhiteSpace(options.User))
        {
            failures.Add("backups.user: required (the login mariadb-backup uses on the primary)");
        }

        if (string.IsNullOrWhiteSpace(options.WorkDir) || !Path.IsPathRooted(options.WorkDir))
        {
            failures.Add("backups.work_dir: must be an absolute path");
        }

        for (int i = 0; i < options.Schedules.Count; i++)
        {
            try
            {
                BackupSchedule.Parse(options.Schedules[i].Type, options.Schedules[i].Cron);
            }
            catch (FormatException ex)
            {
                failures.Add($"backups.schedules[{i}]: {ex.Message}");
            }
        }

        if (options.Retention.FullCount < 0)
        {
            failures.Add("backups.retention.full_count: must be 0 or more");
        }

        if (options.Retention.FullDays < 0)
        {
            failures.Add("backups.retention.full_days: must be 0 or more");
        }

        if (options.BinlogArchive.Interval.Value < TimeSpan.FromSeconds(1))
        {
            failures.Add("backups.binlog_archive.interval: must be at least 1s");
        }

        return failures;
    }

    private static void CheckAgent(BackupsOptions options, List<string> failures)
    {
        if (!string.IsNullOrEmpty(options.Agent.Url))
        {
            if (!Uri.TryCreate(options.Agent.Url, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
            {
                failures.Add($"backups.agent.url: '{options.Agent.Url}' is not an http(s) URL");
            }

            if (string.IsNullOrEmpty(options.Agent.Token))
            {
                failures.Add("backups.agent.token: required with backups.agent.url");
            }
        }
    }
}
