using MySqlProxy.Core.Configuration;
using MySqlProxy.Operations.Replicas;

namespace MySqlProxy.Admin.Replicas;

/// <summary>The body of <c>POST /api/replicas</c>: a new, empty server to turn into a replica.</summary>
internal sealed class ReplicaAdd
{
    /// <summary>What each field expects, for the 400 that names it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Expected = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["name"] = "must be a unique backend name (required)",
        ["host"] = "must be the new server's host name or address (required)",
        ["port"] = "must be a port number 1-65535 (required)",
        ["weight"] = $"must be a whole number 0-{ProxyOptionsValidator.MaxWeight} (default 100)",
        ["max_lag"] = "must be a duration such as \"2s\", or null for routing.max_replica_lag",
        ["seed"] = "must be auto, logical or physical (default auto: physical when datadir and defaults_file are given)",
        ["user"] = "must be a login on the new server (default replica_setup.user)",
        ["password"] = "must be that login's password (default replica_setup.password)",
        ["datadir"] = "must be the new server's data directory on the proxy's host, an absolute path (physical seed)",
        ["defaults_file"] = "must be the new server's option file (my.cnf) on the proxy's host, an absolute path (physical seed)",
        ["agent"] = "must be the URL of an agent on the new server's host (not supported yet)",
        ["master_host"] = "must be the primary's address as the new server reaches it (default backends.primary.host)",
        ["master_port"] = "must be the primary's port as the new server reaches it (default backends.primary.port)",
        ["parallel"] = "must be 1-64: tables copied at once by a logical seed (default replica_setup.parallel)",
        ["catch_up_timeout"] = "must be a duration such as \"10m\" (default replica_setup.catch_up_timeout)",
    };

    public string? Name { get; set; }

    public string? Host { get; set; }

    public int? Port { get; set; }

    public int? Weight { get; set; }

    public Duration? MaxLag { get; set; }

    public SeedMethod? Seed { get; set; }

    public string? User { get; set; }

    public string? Password { get; set; }

    public string? Datadir { get; set; }

    public string? DefaultsFile { get; set; }

    public string? Agent { get; set; }

    public string? MasterHost { get; set; }

    public int? MasterPort { get; set; }

    public int? Parallel { get; set; }

    public Duration? CatchUpTimeout { get; set; }
}
