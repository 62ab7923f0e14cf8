using Microsoft.Extensions.Configuration;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Core.Tests.Configuration;

public sealed class ConfigurationKeyCheckerTests
{
    /// <summary>proxy.yaml of the local topology, flattened as the YAML provider does.</summary>
    private static readonly Dictionary<string, string?> s_valid = new(StringComparer.OrdinalIgnoreCase)
    {
        ["listen:mysql"] = "127.0.0.1:6033",
        ["listen:admin"] = "127.0.0.1:6080",
        ["admin:token"] = "change-me",
        ["backends:primary:name"] = "db1",
        ["backends:primary:host"] = "127.0.0.1",
        ["backends:primary:port"] = "13306",
        ["backends:replicas:0:name"] = "db2",
        ["backends:replicas:0:host"] = "127.0.0.1",
        ["backends:replicas:0:port"] = "13307",
        ["backends:replicas:0:weight"] = "100",
        ["backends:replicas:1:name"] = "db3",
        ["backends:replicas:1:host"] = "127.0.0.1",
        ["backends:replicas:1:port"] = "13308",
        ["backends:replicas:1:weight"] = "100",
        ["backends:connect_timeout"] = "5s",
        ["users:0:user"] = "app",
        ["users:0:password"] = "app",
        ["monitor:user"] = "monitor",
        ["monitor:password"] = "monitor",
        ["monitor:interval"] = "250ms",
        ["routing:max_replica_lag"] = "2s",
        ["routing:read_your_writes"] = "true",
        ["routing:reads_on_primary"] = "fallback",
        ["sessions:max_connections"] = "100",
        ["sessions:shutdown_timeout"] = "30s",
    };

    [Fact]
    public void FindUnknownKeys_LocalTopologyConfig_FindsNone()
    {
        Assert.Empty(ConfigurationKeyChecker.FindUnknownKeys<ProxyOptions>(Build()));
    }

    [Theory]
    [InlineData("backends:replicas:1:weigth", "backends.replicas[1].weigth")]
    [InlineData("backends:primary:hostname", "backends.primary.hostname")]
    [InlineData("routing:max_replica_lagg", "routing.max_replica_lagg")]
    [InlineData("routing:max_lag", "routing.max_lag")]
    [InlineData("listen:mysql_port", "listen.mysql_port")]
    [InlineData("users:0:passwd", "users[0].passwd")]
    [InlineData("monitr:interval", "monitr")]
    [InlineData("backend:primary:name", "backend")]
    public void FindUnknownKeys_Typo_ReportsItsPath(string key, string path)
    {
        IConfiguration configuration = Build((key, "1"));

        Assert.Equal([path], ConfigurationKeyChecker.FindUnknownKeys<ProxyOptions>(configuration));
    }

    [Theory]
    [InlineData("routing:max_replica_lag")]
    [InlineData("routing:MaxReplicaLag")]
    [InlineData("Routing:Max_Replica_Lag")]
    [InlineData("ROUTING:MAXREPLICALAG")]
    [InlineData("sessions:max_connections")]
    [InlineData("Sessions:MaxConnections")]
    [InlineData("backends:connect_timeout")]
    [InlineData("Listen:Mysql")]
    [InlineData("pool:max_prepared_per_connection")]
    public void FindUnknownKeys_SnakeCaseOrPropertyName_Accepted(string key)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, "1")]).Build();

        Assert.Empty(ConfigurationKeyChecker.FindUnknownKeys<ProxyOptions>(configuration));
    }

    [Fact]
    public void FindUnknownKeys_SeveralTypos_ReportsEach()
    {
        IConfiguration configuration = Build(("backends:replicas:0:wieght", "1"), ("routing:read_your_write", "true"), ("extra", "x"));

        IReadOnlyList<string> unknown = ConfigurationKeyChecker.FindUnknownKeys<ProxyOptions>(configuration);

        Assert.Equal(
            ["backends.replicas[0].wieght", "extra", "routing.read_your_write"],
            unknown.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FindUnknownKeys_IgnoredTopLevelKey_NotReported()
    {
        IConfiguration configuration = Build(("Logging:LogLevel:Default", "Debug"), ("serilog:x", "y"));

        IReadOnlyList<string> unknown = ConfigurationKeyChecker.FindUnknownKeys<ProxyOptions>(configuration, ["logging"]);

        Assert.Equal(["serilog"], unknown);
    }

    [Fact]
    public void FindUnknownKeys_ChildrenUnderALeafValue_NotInspected()
    {
        // A Duration is a leaf: whatever hangs below it is the binder's business, not a key.
        IConfiguration configuration = Build(("monitor:interval:unit", "ms"));

        Assert.Empty(ConfigurationKeyChecker.FindUnknownKeys<ProxyOptions>(configuration));
    }

    [Fact]
    public void FindUnknownKeys_NullConfiguration_Throws() =>
        Assert.Throws<ArgumentNullException>(() => ConfigurationKeyChecker.FindUnknownKeys<ProxyOptions>(null!));

    private static IConfiguration Build(params (string Key, string? Value)[] extra)
    {
        var values = new Dictionary<string, string?>(s_valid, StringComparer.OrdinalIgnoreCase);
        foreach ((string key, string? value) in extra)
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
