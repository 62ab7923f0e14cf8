using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Admin.Backends;

/// <summary>The body of <c>POST /api/backends</c>: a replica to add at run time.</summary>
internal sealed class BackendAdd
{
    /// <summary>What each field expects, for the 400 that names it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Expected = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["name"] = "must be a unique backend name (required)",
        ["host"] = "must be a host name or address (required)",
        ["port"] = "must be a port number 1-65535 (required)",
        ["weight"] = $"must be a whole number 0-{ProxyOptionsValidator.MaxWeight} (default 100)",
        ["state"] = "must be online, draining or offline (default online)",
        ["max_lag"] = "must be a duration such as \"250ms\" or \"2s\", or null for routing.max_replica_lag",
    };

    public string? Name { get; set; }

    public string? Host { get; set; }

    public int? Port { get; set; }

    public int? Weight { get; set; }

    public BackendState? State { get; set; }

    public Duration? MaxLag { get; set; }
}
