using Microsoft.Extensions.Logging;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Sessions;

namespace MySqlProxy.Core;

/// <summary>
/// What every session shares: an immutable snapshot of the settings, the backends and their connection
/// pools, the session registry and the identity the greeting shows. Sessions read it; nothing on the data
/// path consults options at run time.
/// </summary>
internal sealed class ProxyContext : IAsyncDisposable
{
    public ProxyContext(ProxyOptions options, ILoggerFactory loggerFactory)
    {
        Options = options;
        Logger = loggerFactory.CreateLogger("MySqlProxy.Sessions");
        Primary = BackendEndpoint.From(options.Backends.Primary, BackendRole.Primary);
        Replicas = [.. options.Backends.Replicas.Select(r => BackendEndpoint.From(r, BackendRole.Replica))];
        Users = options.Users.ToDictionary(u => u.User, u => u.Password, StringComparer.Ordinal);
        ConnectTimeout = options.Backends.ConnectTimeout.Value;
        Identity = new ServerIdentity(Primary, ConnectTimeout, Logger);
        PrimaryPool = new BackendPool(Primary, options.Pool, ConnectTimeout, key => Users[key.User]);
        ReplicaPools = [.. Replicas.Select(r => new BackendPool(r, options.Pool, ConnectTimeout, key => Users[key.User]))];
        Pools = [PrimaryPool, .. ReplicaPools];
        Router = new Routing.Router(PrimaryPool, ReplicaPools, options.Routing);
        Metrics = new Diagnostics.ProxyMetrics(this);
        QueryStats = new Diagnostics.QueryStats([.. Pools.Select(p => p.Backend.Name)]);
        for (int i = 0; i < Pools.Count; i++)
        {
            Pools[i].Index = i;
        }
    }

    /// <summary>Statistics per statement digest.</summary>
    public Diagnostics.QueryStats QueryStats { get; }

    /// <summary>Counters for the metrics endpoint.</summary>
    public Diagnostics.ProxyMetrics Metrics { get; }

    public ProxyOptions Options { get; }

    public ILogger Logger { get; }

    public BackendEndpoint Primary { get; }

    public IReadOnlyList<BackendEndpoint> Replicas { get; }

    /// <summary>Client logins: user name to password.</summary>
    public IReadOnlyDictionary<string, string> Users { get; }

    public TimeSpan ConnectTimeout { get; }

    public ServerIdentity Identity { get; }

    /// <summary>Pooled connections to the primary.</summary>
    public BackendPool PrimaryPool { get; }

    /// <summary>Pooled connections to each replica, in configuration order.</summary>
    public IReadOnlyList<BackendPool> ReplicaPools { get; }

    /// <summary>Every backend's pool, the primary first.</summary>
    public IReadOnlyList<BackendPool> Pools { get; }

    /// <summary>Chooses the backend for each statement.</summary>
    public Routing.Router Router { get; }

    /// <summary>The pool of the backend called <paramref name="name"/>, or null.</summary>
    public BackendPool? FindPool(string name)
    {
        foreach (BackendPool pool in Pools)
        {
            if (string.Equals(pool.Backend.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return pool;
            }
        }

        return null;
    }

    public SessionRegistry Sessions { get; } = new();

    /// <summary>How long a client may take to complete its login.</summary>
    public TimeSpan LoginTimeout { get; } = TimeSpan.FromSeconds(10);

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        foreach (BackendPool pool in Pools)
        {
            await pool.DisposeAsync().ConfigureAwait(false);
        }
    }
}
