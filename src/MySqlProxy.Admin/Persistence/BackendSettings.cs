using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Admin.Persistence;

/// <summary>One backend's run-time settings as saved in proxy.runtime.json.</summary>
internal sealed class BackendSettings
{
    public int? Weight { get; set; }

    public BackendState? State { get; set; }

    /// <summary>Its own lag limit; null: routing.max_replica_lag.</summary>
    public Duration? MaxLag { get; set; }
}
