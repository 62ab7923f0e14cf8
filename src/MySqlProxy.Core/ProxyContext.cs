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
        _replicaPools = [.. Replicas.Select(r => new BackendPool(r, options.Pool, ConnectTimeout, key => Users[key.User]))];
        _pools = [PrimaryPool, .. _replicaPools];
        Router = new Routing.Router(PrimaryPool, _replicaPools, options.Routing);
        Metrics = new Diagnostics.ProxyMetrics(this);
        QueryStats = new Diagnostics.QueryStats(MaxBackends);
        for (int i = 0; i < _pools.Length; i++)
        {
            _pools[i].Index = i;
            QueryStats.SetBackend(i, _pools[i].Backend.Name);
        }
    }

    /// <summary>How many backends a proxy can have at once (the primary included).</summary>
    public const int MaxBackends = 64;

    private readonly Lock _backendsLock = new();
    private volatile BackendPool[] _replicaPools;
    private volatile BackendPool[] _pools;

    /// <summary>Raised (under no lock) after a backend was added at run time; the monitor starts watching it.</summary>
    public event Action<BackendPool>? PoolAdded;

    /// <summary>
    /// Adds a replica at run time: a pool for it, a slot in the statistics, a place in routing. It gets reads
    /// once the monitor has seen it up and under its lag limits. Throws <see cref="Control.BackendChangeException"/>
    /// naming the field for a duplicate name or address, or when the proxy is full.
    /// </summary>
    public BackendPool AddReplica(BackendOptions replica)
    {
        BackendPool pool;
        lock (_backendsLock)
        {
            BackendPool[] pools = _pools;
            if (FindPool(replica.Name) is not null)
            {
                throw new Control.BackendChangeException("name", $"a backend named '{replica.Name}' exists already");
            }

            if (pools.Any(p => string.Equals(p.Backend.Host, replica.Host, StringComparison.OrdinalIgnoreCase) && p.Backend.Port == replica.Port))
            {
                throw new Control.BackendChangeException("port", $"{replica.Host}:{replica.Port} is backend '{pools.First(p => p.Backend.Port == replica.Port).Backend.Name}' already");
            }

            if (pools.Length >= MaxBackends)
            {
                throw new Control.BackendChangeException(string.Empty, $"the proxy has {MaxBackends} backends, its limit");
            }

            int slot = 0;
            while (pools.Any(p => p.Index == slot))
            {
                slot++;
            }

            pool = new BackendPool(BackendEndpoint.From(replica, BackendRole.Replica), Options.Pool, ConnectTimeout, key => Users[key.User]) { Index = slot };
            QueryStats.SetBackend(slot, replica.Name);
            _replicaPools = [.. _replicaPools, pool];
            _pools = [.. pools, pool];
            Router.SetReplicas(_replicaPools);
        }

        PoolAdded?.Invoke(pool);
        return pool;
    }

    /// <summary>Takes a replica out of routing and out of <see cref="Pools"/> (its connections are closed by the caller).</summary>
    public void RemoveReplica(BackendPool pool)
    {
        lock (_backendsLock)
        {
            _replicaPools = [.. _replicaPools.Where(p => p != pool)];
            _pools = [.. _pools.Where(p => p != pool)];
            Router.SetReplicas(_replicaPools);
            pool.Removed = true;
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

    /// <summary>Pooled connections to each replica, in configuration order then in the order added at run time.</summary>
    public IReadOnlyList<BackendPool> ReplicaPools => _replicaPools;

    /// <summary>Every backend's pool, the primary first.</summary>
    public IReadOnlyList<BackendPool> Pools => _pools;

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
        foreach (BackendPool pool in _pools)
        {
            await pool.DisposeAsync().ConfigureAwait(false);
        }
    }
}
