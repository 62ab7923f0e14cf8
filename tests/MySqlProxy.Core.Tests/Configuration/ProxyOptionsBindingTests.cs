using Microsoft.Extensions.Configuration;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Core.Tests.Configuration;

/// <summary>The snake_case keys and duration strings of proxy.yaml reach the options through the configuration binder.</summary>
public sealed class ProxyOptionsBindingTests
{
    [Fact]
    public void Bind_SnakeCaseKeysAndDurations_FillOptions()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["backends:replicas:0:name"] = "db2",
            ["backends:replicas:0:weight"] = "40",
            ["backends:connect_timeout"] = "1.5s",
            ["monitor:interval"] = "100ms",
            ["routing:max_replica_lag"] = "500ms",
            ["routing:read_your_writes"] = "false",
            ["routing:reads_on_primary"] = "never",
            ["sessions:max_connections"] = "7",
            ["sessions:shutdown_timeout"] = "1m",
        }).Build();

        ProxyOptions options = configuration.Get<ProxyOptions>()!;

        Assert.Equal("db2", Assert.Single(options.Backends.Replicas).Name);
        Assert.Equal(40, options.Backends.Replicas[0].Weight);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.Backends.ConnectTimeout.Value);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.Monitor.Interval.Value);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Routing.MaxReplicaLag.Value);
        Assert.False(options.Routing.ReadYourWrites);
        Assert.Equal(ReadsOnPrimary.Never, options.Routing.ReadsOnPrimary);
        Assert.Equal(7, options.Sessions.MaxConnections);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Sessions.ShutdownTimeout.Value);
    }

    [Fact]
    public void Bind_BadDuration_FailureNamesTheKey()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["routing:max_replica_lag"] = "two seconds",
        }).Build();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => configuration.Get<ProxyOptions>());

        Assert.Contains("routing:max_replica_lag", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("two seconds", error.Message, StringComparison.Ordinal);
    }
}
