using System.Net;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Core.Backends;

/// <summary>The role a backend plays in the topology.</summary>
public enum BackendRole
{
    Primary,
    Replica,
}

/// <summary>What an operator wants of a backend.</summary>
public enum BackendState
{
    /// <summary>Serves statements.</summary>
    Online,

    /// <summary>Gets no new statements; sessions pinned to it (open transactions) finish there.</summary>
    Draining,

    /// <summary>Gets nothing; its idle connections are closed.</summary>
    Offline,
}

/// <summary>
/// One backend server as the data path sees it: name, address, role, and what operators can change at run
/// time (weight, state, its own lag limit), read on every routing decision.
/// </summary>
public sealed class BackendEndpoint
{
    private volatile int _weight;
    private volatile BackendState _state;
    private long _maxLagTicks = -1;

    public BackendEndpoint(string name, string host, int port, BackendRole role, int weight)
    {
        Name = name;
        Host = host;
        Port = port;
        Role = role;
        _weight = weight;
        EndPoint = IPAddress.TryParse(host, out IPAddress? address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
    }

    public string Name { get; }

    public string Host { get; }

    public int Port { get; }

    public BackendRole Role { get; }

    /// <summary>Share of reads relative to the other replicas (0-1000); changeable at run time.</summary>
    public int Weight
    {
        get => _weight;
        set => _weight = value;
    }

    /// <summary>Online, draining or offline; changeable at run time.</summary>
    public BackendState State
    {
        get => _state;
        set => _state = value;
    }

    /// <summary>This backend's own lag limit, tighter than routing.max_replica_lag; null: the routing limit.</summary>
    public TimeSpan? MaxLag
    {
        get
        {
            long ticks = Interlocked.Read(ref _maxLagTicks);
            return ticks < 0 ? null : TimeSpan.FromTicks(ticks);
        }

        set => Interlocked.Exchange(ref _maxLagTicks, value is { } lag ? lag.Ticks : -1);
    }

    public EndPoint EndPoint { get; }

    public static BackendEndpoint From(BackendOptions options, BackendRole role) =>
        new(options.Name, options.Host, options.Port, role, options.Weight);

    public override string ToString() => $"{Name} ({Host}:{Port})";
}
