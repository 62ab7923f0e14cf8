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

    /// <summary>The whole routing section, when it was changed.</summary>
    public RoutingResource? Routing { get; set; }
}
