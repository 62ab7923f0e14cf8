using Microsoft.Extensions.Configuration;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Core.Tests.Configuration;

public sealed class BackupsConfigurationTests
{
    private static readonly Dictionary<string, string?> s_backups = new(StringComparer.OrdinalIgnoreCase)
    {
        ["backups:repository:path"] = "/var/backups/mysqlproxy",
        ["backups:repository:s3:bucket"] = string.Empty,
        ["backups:repository:s3:prefix"] = "c1",
        ["backups:repository:s3:endpoint"] = "http://127.0.0.1:9000",
        ["backups:repository:s3:access_key"] = "AK",
        ["backups:repository:s3:secret_key_env"] = "S3_SECRET",
        ["backups:repository:s3:force_path_style"] = "true",
        ["backups:repository:s3:part_size_mb"] = "16",
        ["backups:encryption:key_file"] = "/etc/mysqlproxy/backup.key",
        ["backups:compression_level"] = "5",
        ["backups:user"] = "backup",
        ["backups:password"] = "secret",
        ["backups:work_dir"] = "/var/tmp/w",
        ["backups:schedules:0:type"] = "full",
        ["backups:schedules:0:cron"] = "0 3 * * 0",
        ["backups:schedules:1:type"] = "incremental",
        ["backups:schedules:1:cron"] = "0 * * * *",
        ["backups:retention:full_count"] = "4",
        ["backups:retention:full_days"] = "14",
        ["backups:binlog_archive:enabled"] = "true",
        ["backups:binlog_archive:interval"] = "10s",
        ["backups:binlog_archive:rotate_after"] = "5m",
        ["backups:agent:url"] = "http://10.0.0.5:6081",
        ["backups:agent:token"] = "t",
    };

    private static IConfiguration Build(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void BackupsSection_HasNoUnknownKeys_AndBinds()
    {
        IConfiguration configuration = Build(s_backups);
        Assert.Empty(ConfigurationKeyChecker.FindUnknownKeys<ProxyOptions>(configuration));
        var options = new ProxyOptions();
        configuration.Bind(options);
        BackupsOptions b = options.Backups;
        Assert.True(b.IsEnabled());
        Assert.Equal("S3_SECRET", b.Repository.S3.SecretKeyEnv);
        Assert.Equal(16, b.Repository.S3.PartSizeMb);
        Assert.Equal(5, b.CompressionLevel);
        Assert.Equal(2, b.Schedules.Count);
        Assert.Equal("0 * * * *", b.Schedules[1].Cron);
        Assert.Equal(14, b.Retention.FullDays);
        Assert.Equal(TimeSpan.FromMinutes(5), b.BinlogArchive.RotateAfter.Value);
        Assert.Equal("http://10.0.0.5:6081", b.Agent.Url);
        Assert.False(new BackupsOptions().IsEnabled());
    }

    [Theory]
    [InlineData("backups:retention:keep", "backups.retention.keep")]
    [InlineData("backups:repository:s3:secret", "backups.repository.s3.secret")]
    [InlineData("backups:schedules:0:when", "backups.schedules[0].when")]
    [InlineData("backups:encryption:key", "backups.encryption.key")]
    [InlineData("backups:binlog_archive:on", "backups.binlog_archive.on")]
    public void UnknownBackupsKey_IsNamed(string key, string path)
    {
        var values = new Dictionary<string, string?>(s_backups, StringComparer.OrdinalIgnoreCase) { [key] = "x" };
        Assert.Contains(path, ConfigurationKeyChecker.FindUnknownKeys<ProxyOptions>(Build(values)));
    }
}
