using MySqlProxy.Core.Configuration;
using Microsoft.Extensions.Options;

namespace MySqlProxy.Core.Tests.Configuration;

public sealed class ProxyOptionsValidatorTests
{
    [Fact]
    public void Validate_LocalTopology_Succeeds()
    {
        ValidateOptionsResult result = Validate(Valid());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_IPv6Listen_Succeeds()
    {
        ProxyOptions options = Valid();
        options.Listen.Mysql = "[::1]:6033";

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("localhost:6033")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("")]
    [InlineData("not an address")]
    public void Validate_BadListenMysql_NamesTheKey(string address)
    {
        ProxyOptions options = Valid();
        options.Listen.Mysql = address;

        AssertSingleFailure(options, "listen.mysql:");
    }

    [Fact]
    public void Validate_BadListenAdmin_NamesTheKey()
    {
        ProxyOptions options = Valid();
        options.Listen.Admin = "6080";

        AssertSingleFailure(options, "listen.admin:");
    }

    [Fact]
    public void Validate_PrimaryWithoutName_NamesTheKey()
    {
        ProxyOptions options = Valid();
        options.Backends.Primary.Name = " ";

        AssertSingleFailure(options, "backends.primary.name:");
    }

    [Fact]
    public void Validate_PrimaryWithoutHost_NamesTheKey()
    {
        ProxyOptions options = Valid();
        options.Backends.Primary.Host = string.Empty;

        AssertSingleFailure(options, "backends.primary.host:");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void Validate_BadReplicaPort_NamesTheKey(int port)
    {
        ProxyOptions options = Valid();
        options.Backends.Replicas[0].Port = port;

        AssertSingleFailure(options, "backends.replicas[0].port:");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Validate_BadReplicaWeight_NamesTheKey(int weight)
    {
        ProxyOptions options = Valid();
        options.Backends.Replicas[1].Weight = weight;

        string message = AssertSingleFailure(options, "backends.replicas[1].weight:");
        Assert.Contains(weight.ToString(System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public void Validate_ReplicaWeightAtBounds_Succeeds(int weight)
    {
        ProxyOptions options = Valid();
        options.Backends.Replicas[1].Weight = weight;

        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_PrimaryWeightIgnored_Succeeds()
    {
        ProxyOptions options = Valid();
        options.Backends.Primary.Weight = -5;

        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_DuplicateBackendNameAnyCase_NamesTheSecond()
    {
        ProxyOptions options = Valid();
        options.Backends.Replicas[1].Name = "DB1";

        string message = AssertSingleFailure(options, "backends.replicas[1].name:");
        Assert.Contains("DB1", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ZeroConnectTimeout_NamesTheKey()
    {
        ProxyOptions options = Valid();
        options.Backends.ConnectTimeout = default;

        AssertSingleFailure(options, "backends.connect_timeout:");
    }

    [Fact]
    public void Validate_NoUsers_NamesTheKey()
    {
        ProxyOptions options = Valid();
        options.Users.Clear();

        AssertSingleFailure(options, "users:");
    }

    [Fact]
    public void Validate_UserWithoutName_NamesTheIndex()
    {
        ProxyOptions options = Valid();
        options.Users.Add(new UserOptions { User = string.Empty, Password = "x" });

        AssertSingleFailure(options, "users[2].user:");
    }

    [Fact]
    public void Validate_DuplicateUser_NamesTheSecond()
    {
        ProxyOptions options = Valid();
        options.Users.Add(new UserOptions { User = "app", Password = "other" });

        AssertSingleFailure(options, "users[2].user:");
    }

    [Fact]
    public void Validate_UsersDifferingInCase_Succeeds()
    {
        ProxyOptions options = Valid();
        options.Users.Add(new UserOptions { User = "APP", Password = "x" });

        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_MonitorIntervalUnder10ms_NamesTheKey()
    {
        ProxyOptions options = Valid();
        options.Monitor.Interval = Duration.FromMilliseconds(9);

        AssertSingleFailure(options, "monitor.interval:");
    }

    [Fact]
    public void Validate_ZeroMaxReplicaLag_NamesTheKey()
    {
        ProxyOptions options = Valid();
        options.Routing.MaxReplicaLag = Duration.FromSeconds(0);

        AssertSingleFailure(options, "routing.max_replica_lag:");
    }

    [Fact]
    public void Validate_UndefinedReadsOnPrimary_NamesTheKey()
    {
        ProxyOptions options = Valid();
        options.Routing.ReadsOnPrimary = (ReadsOnPrimary)42;

        AssertSingleFailure(options, "routing.reads_on_primary:");
    }

    [Theory]
    [InlineData("max_per_backend")]
    [InlineData("borrow_timeout")]
    [InlineData("idle_timeout")]
    [InlineData("max_prepared_per_connection")]
    public void Validate_ZeroPoolSetting_NamesTheKey(string key)
    {
        ProxyOptions options = Valid();
        switch (key)
        {
            case "max_per_backend":
                options.Pool.MaxPerBackend = 0;
                break;
            case "borrow_timeout":
                options.Pool.BorrowTimeout = default;
                break;
            case "idle_timeout":
                options.Pool.IdleTimeout = default;
                break;
            default:
                options.Pool.MaxPreparedPerConnection = 0;
                break;
        }

        AssertSingleFailure(options, $"pool.{key}:");
    }

    [Fact]
    public void Validate_ZeroMaxConnections_NamesTheKey()
    {
        ProxyOptions options = Valid();
        options.Sessions.MaxConnections = 0;

        AssertSingleFailure(options, "sessions.max_connections:");
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEach()
    {
        ProxyOptions options = Valid();
        options.Listen.Mysql = "nowhere";
        options.Backends.Replicas[0].Weight = 5000;
        options.Users.Clear();

        ValidateOptionsResult result = Validate(options);

        Assert.True(result.Failed);
        Assert.Collection(
            result.Failures!,
            f => Assert.StartsWith("listen.mysql:", f, StringComparison.Ordinal),
            f => Assert.StartsWith("backends.replicas[0].weight:", f, StringComparison.Ordinal),
            f => Assert.StartsWith("users:", f, StringComparison.Ordinal));
    }

    private static ProxyOptions Valid() => new()
    {
        Listen = { Mysql = "127.0.0.1:6033", Admin = "127.0.0.1:6080" },
        Admin = { Token = "change-me" },
        Backends =
        {
            Primary = { Name = "db1", Host = "127.0.0.1", Port = 13306 },
            Replicas =
            {
                new BackendOptions { Name = "db2", Host = "127.0.0.1", Port = 13307, Weight = 100 },
                new BackendOptions { Name = "db3", Host = "127.0.0.1", Port = 13308, Weight = 100 },
            },
        },
        Users =
        {
            new UserOptions { User = "app", Password = "app" },
            new UserOptions { User = "admin", Password = "admin" },
        },
        Monitor = { User = "monitor", Password = "monitor", Interval = Duration.FromMilliseconds(250) },
        Routing = { MaxReplicaLag = Duration.FromSeconds(2) },
    };

    private static ValidateOptionsResult Validate(ProxyOptions options) => new ProxyOptionsValidator().Validate(null, options);

    private static string AssertSingleFailure(ProxyOptions options, string keyPrefix)
    {
        ValidateOptionsResult result = Validate(options);

        Assert.True(result.Failed);
        string failure = Assert.Single(result.Failures!);
        Assert.StartsWith(keyPrefix, failure, StringComparison.Ordinal);
        return failure;
    }
}
