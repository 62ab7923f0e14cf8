using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Admin.Routing;

/// <summary>
/// The routing section, as proxy.yaml writes it: <c>GET /api/routing</c> shows every key, <c>PUT /api/routing</c>
/// takes any of them (a key left out keeps its value; <c>rules</c>, when given, replaces the whole list).
/// </summary>
internal sealed class RoutingResource
{
    /// <summary>What each field expects, for the 400 that names it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Expected = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["max_replica_lag"] = "must be a duration such as \"250ms\" or \"2s\"",
        ["lag_floor"] = "must be a duration such as \"100ms\"",
        ["hard_replica_lag"] = "must be a duration such as \"30s\"",
        ["read_your_writes"] = "must be true or false",
        ["reads_on_primary"] = "must be fallback, always or never",
        ["min_serving_replicas"] = "must be a whole number, 0 or more",
        ["rules"] = "must be a list of rules ({\"match\": \"...\", \"route\": \"primary\"})",
        ["match"] = RuleBody.Expected["match"],
        ["digest"] = RuleBody.Expected["digest"],
        ["user"] = RuleBody.Expected["user"],
        ["schema"] = RuleBody.Expected["schema"],
        ["route"] = RuleBody.Expected["route"],
    };

    /// <summary>A replica this far behind (or of unknown lag) gets no reads.</summary>
    public Duration? MaxReplicaLag { get; set; }

    /// <summary>A session's reads see its own writes.</summary>
    public bool? ReadYourWrites { get; set; }

    /// <summary>fallback, always or never.</summary>
    public ReadsOnPrimary? ReadsOnPrimary { get; set; }

    /// <summary>Full weight up to this lag, then falling smoothly to 0 at max_replica_lag.</summary>
    public Duration? LagFloor { get; set; }

    /// <summary>Keep this many least-lagged replicas serving up to hard_replica_lag (0: off).</summary>
    public int? MinServingReplicas { get; set; }

    /// <summary>Beyond this lag no replica serves reads.</summary>
    public Duration? HardReplicaLag { get; set; }

    /// <summary>Query rules in order; the first that matches decides.</summary>
    public List<RuleBody>? Rules { get; set; }

    public static RoutingResource From(RoutingOptions routing)
    {
        ArgumentNullException.ThrowIfNull(routing);
        return new()
        {
            MaxReplicaLag = routing.MaxReplicaLag,
            ReadYourWrites = routing.ReadYourWrites,
            ReadsOnPrimary = routing.ReadsOnPrimary,
            LagFloor = routing.LagFloor,
            MinServingReplicas = routing.MinServingReplicas,
            HardReplicaLag = routing.HardReplicaLag,
            Rules = [.. routing.Rules.Select(RuleBody.From)],
        };
    }

    /// <summary>The routing settings <paramref name="current"/> with this resource's keys put over them.</summary>
    public RoutingOptions ApplyTo(RoutingOptions current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new()
        {
            MaxReplicaLag = MaxReplicaLag ?? current.MaxReplicaLag,
            ReadYourWrites = ReadYourWrites ?? current.ReadYourWrites,
            ReadsOnPrimary = ReadsOnPrimary ?? current.ReadsOnPrimary,
            LagFloor = LagFloor ?? current.LagFloor,
            MinServingReplicas = MinServingReplicas ?? current.MinServingReplicas,
            HardReplicaLag = HardReplicaLag ?? current.HardReplicaLag,
            Rules = Rules is null ? [.. current.Rules] : [.. Rules.Select(r => r.ToOptions())],
        };
    }
}
