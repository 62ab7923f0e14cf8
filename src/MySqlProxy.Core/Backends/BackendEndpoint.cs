using System.Net;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Core.Backends;

/// <summary>The role a backend plays in the topology.</summary>
public enum BackendRole
{
    Primary,
    Replica,
}

/// <summary>One backend server as the data path sees it: name, address, role.</summary>
public sealed class BackendEndpoint
{
    public BackendEndpoint(string name, string host, int port, BackendRole role, int weight)
    {
        Name = name;
        Host = host;
        Port = port;
        Role = role;
        Weight = weight;
        EndPoint = IPAddress.TryParse(host, out IPAddress? address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
    }

    public string Name { get; }

    public string Host { get; }

    public int Port { get; }

    public BackendRole Role { get; }

    public int Weight { get; }

    public EndPoint EndPoint { get; }

    public static BackendEndpoint From(BackendOptions options, BackendRole role) =>
        new(options.Name, options.Host, options.Port, role, options.Weight);

    public override string ToString() => $"{Name} ({Host}:{Port})";
}
