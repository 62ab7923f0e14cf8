using Microsoft.Extensions.Logging;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Listener;

namespace MySqlProxy.IntegrationTests.Infrastructure;

/// <summary>A proxy started in-process on a free port, pointed at the local topology.</summary>
public sealed class ProxyInstance : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;

    private ProxyInstance(MySqlListener listener, ProxyOptions options, ILoggerFactory loggerFactory)
    {
        Listener = listener;
        Options = options;
        _loggerFactory = loggerFactory;
    }

    public MySqlListener Listener { get; }

    public ProxyOptions Options { get; }

    public int Port => Listener.LocalEndPoint!.Port;

    /// <summary>The options the tests start from: listen on port 0, the topology's backends, users app and admin.</summary>
    public static ProxyOptions DefaultOptions()
    {
        var options = new ProxyOptions();
        options.Listen.Mysql = "127.0.0.1:0";
        options.Listen.Admin = "127.0.0.1:0";
        options.Backends.Primary = new BackendOptions { Name = "db1", Host = Topology.Primary.Address.ToString(), Port = Topology.Primary.Port };
        int i = 2;
        foreach (var replica in Topology.Replicas)
        {
            options.Backends.Replicas.Add(new BackendOptions { Name = $"db{i++}", Host = replica.Address.ToString(), Port = replica.Port, Weight = 100 });
        }

        options.Users.Add(new UserOptions { User = "app", Password = "app" });
        options.Users.Add(new UserOptions { User = "admin", Password = "admin" });
        options.Monitor.Password = "monitor";
        options.Sessions.ShutdownTimeout = Duration.FromSeconds(5);

        // Tests run many at once on two cores: a busy machine must not make the replicas look too far
        // behind for routing tests. The lag tests set their own limits.
        options.Routing.MaxReplicaLag = Duration.FromSeconds(30);
        options.Routing.HardReplicaLag = Duration.FromSeconds(60);
        return options;
    }

    public static async Task<ProxyInstance> StartAsync(Action<ProxyOptions>? configure = null)
    {
        ProxyOptions options = DefaultOptions();
        configure?.Invoke(options);
        var validation = new ProxyOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new InvalidOperationException(validation.FailureMessage);
        }

        ILoggerFactory loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        var listener = new MySqlListener(Microsoft.Extensions.Options.Options.Create(options), loggerFactory);
        await listener.StartAsync(CancellationToken.None);
        return new ProxyInstance(listener, options, loggerFactory);
    }

    /// <summary>Connection string to this proxy.</summary>
    public string ConnectionString(string user = "app", string password = "app", string database = "app", string extra = "") =>
        $"Server=127.0.0.1;Port={Port};User ID={user};Password={password};Database={database};Pooling=false;{extra}";

    public async ValueTask DisposeAsync()
    {
        await Listener.DisposeAsync();
        _loggerFactory.Dispose();
    }
}
