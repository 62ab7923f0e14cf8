using MySqlProxy.Admin.Routing;

namespace MySqlProxy.Admin.Persistence;

/// <summary>
/// The content of proxy.runtime.json: what was changed through the admin endpoint, put over the configuration
/// at start. Only what was changed is there: a backend never touched, or routing never changed, keeps
/// following proxy.yaml.
/// </summary>
internal sealed class RuntimeState
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public DateTimeOffset? SavedAt { get; set; }

    /// <summary>Backends by name.</summary>
    public Dictionary<string, BackendSettings>? Backends { get; set; }

    /// <summary>Replicas added at run time (POST /api/backends, replica set-up), created again at start.</summary>
    public List<AddedBackend>? AddedBackends { get; set; }

    /// <summary>Backends of proxy.yaml removed at run time (DELETE /api/backends/{name}), left out at start.</summary>
    public List<string>? RemovedBackends { get; set; }

    /// <summary>The whole routing section, when it was changed.</summary>
    public RoutingResource? Routing { get; set; }
}

/// <summary>A replica added at run time, as saved in proxy.runtime.json.</summary>
internal sealed class AddedBackend
{
    public string Name { get; set; } = string.Empty;

    public string Host { get; set; } = string.Empty;

    public int Port { get; set; }

    public int Weight { get; set; } = 100;
}
