using System.Text.Json.Serialization;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Admin.Backends;

/// <summary>
/// The body of <c>PATCH /api/backends/{name}</c>: every field optional; a field left out stays as it is, and
/// <c>"max_lag": null</c> goes back to routing.max_replica_lag.
/// </summary>
internal sealed class BackendPatch
{
    /// <summary>What each field expects, for the 400 that names it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Expected = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["weight"] = $"must be a whole number 0-{ProxyOptionsValidator.MaxWeight}",
        ["state"] = "must be online, draining or offline",
        ["max_lag"] = "must be a duration such as \"250ms\" or \"2s\", or null for routing.max_replica_lag",
    };

    private Duration? _maxLag;

    /// <summary>Share of reads, 0-1000.</summary>
    public int? Weight { get; set; }

    /// <summary>online, draining or offline.</summary>
    public BackendState? State { get; set; }

    /// <summary>This backend's own lag limit; null clears it.</summary>
    public Duration? MaxLag
    {
        get => _maxLag;
        set
        {
            _maxLag = value;
            HasMaxLag = true;
        }
    }

    /// <summary>Whether the body named max_lag at all (null included).</summary>
    [JsonIgnore]
    public bool HasMaxLag { get; private set; }
}
