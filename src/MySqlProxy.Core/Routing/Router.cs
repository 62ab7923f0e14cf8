using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Monitoring;

namespace MySqlProxy.Core.Routing;

/// <summary>
/// Chooses where a read may run: a replica by weighted random choice among those that are up, have weight,
/// and have applied everything the session must see (its own writes and what it read before); the primary
/// when none qualifies, as <c>routing.reads_on_primary</c> allows.
/// </summary>
internal sealed class Router
{
    private readonly BackendPool _primary;
    private volatile BackendPool[] _replicas;

    private volatile RoutingSnapshot _snapshot;

    public Router(BackendPool primary, IReadOnlyList<BackendPool> replicas, RoutingOptions options)
    {
        _primary = primary;
        _replicas = [.. replicas];
        _snapshot = new RoutingSnapshot(options, QueryRules.Compile(options.Rules));
    }

    /// <summary>Puts a new set of replicas in force (a backend added or removed at run time).</summary>
    public void SetReplicas(BackendPool[] replicas) => _replicas = replicas;

    /// <summary>The routing settings in force.</summary>
    public RoutingOptions Options => _snapshot.Options;

    /// <summary>The compiled query rules in force.</summary>
    public QueryRules Rules => _snapshot.Rules;

    /// <summary>Puts new routing settings in force for the next statement; sessions keep their connections.</summary>
    public void Update(RoutingOptions options) => _snapshot = new RoutingSnapshot(options, QueryRules.Compile(options.Rules));

    public BackendPool Primary => _primary;

    /// <summary>
    /// A backend for a read that must see <paramref name="floor"/> and be at most <paramref name="maxLag"/>
    /// stale (a hint); null when no backend may take it (no replica qualifies and reads_on_primary is never).
    /// </summary>
    public BackendPool? ChooseForRead(GtidPosition floor, TimeSpan? maxLag = null, BackendPool? avoid = null)
    {
        RoutingOptions options = Options;
        BackendPool[] replicas = _replicas;
        Span<int> weights = replicas.Length <= 64 ? stackalloc int[replicas.Length] : new int[replicas.Length];
        int total = 0;
        int serving = 0;
        for (int i = 0; i < replicas.Length; i++)
        {
            int weight = replicas[i] == avoid ? 0 : EffectiveWeight(replicas[i], floor, maxLag, options);
            weights[i] = weight;
            total += weight;
            serving += weight > 0 ? 1 : 0;
        }

        if (serving < options.MinServingReplicas && maxLag is null)
        {
            total += AddMinimumServingSet(replicas, weights, floor, options, options.MinServingReplicas - serving);
        }

        int primaryWeight = options.ReadsOnPrimary == ReadsOnPrimary.Always && _primary.Health.IsUp && _primary.Backend.State == BackendState.Online
            ? AveragePositive(weights) : 0;
        if (total + primaryWeight == 0)
        {
            return options.ReadsOnPrimary == ReadsOnPrimary.Never ? null : _primary;
        }

        int pick = Random.Shared.Next(total + primaryWeight);
        for (int i = 0; i < weights.Length; i++)
        {
            if (pick < weights[i])
            {
                return LeastBusyOfEqualWeight(replicas, weights, i);
            }

            pick -= weights[i];
        }

        return _primary;
    }

    /// <summary>
    /// Configured weight times the lag factor (scaled by 1000 to stay an integer): 0 for a replica that is
    /// down, has no weight, lacks the session's GTIDs, or whose lag is unknown or over the limit.
    /// </summary>
    public static int EffectiveWeight(BackendPool replica, GtidPosition floor, TimeSpan? maxLag, RoutingOptions options)
    {
        BackendHealth health = replica.Health;
        BackendEndpoint backend = replica.Backend;
        int weight = backend.Weight;
        if (weight <= 0 || backend.State != BackendState.Online || !health.IsUp || (!floor.IsEmpty && !health.Position.Covers(floor)))
        {
            return 0;
        }

        TimeSpan limit = options.MaxReplicaLag.Value;
        if (backend.MaxLag is { } own && own < limit)
        {
            limit = own;
        }

        if (maxLag is { } hint && hint < limit)
        {
            limit = hint;
        }

        double factor = LagFactor(health.SmoothedLag, options.LagFloor.Value, limit);
        return (int)Math.Round(weight * factor * 1000);
    }

    /// <summary>
    /// 1 up to <paramref name="floor"/>, then a smooth (half-cosine) fall to 0 at <paramref name="limit"/>;
    /// 0 for unknown lag (replication stopped or broken is never taken for fresh).
    /// </summary>
    public static double LagFactor(TimeSpan? lag, TimeSpan floor, TimeSpan limit)
    {
        if (lag is not { } value || value >= limit)
        {
            return 0;
        }

        if (value <= floor || limit <= floor)
        {
            return 1;
        }

        double x = (value - floor) / (limit - floor);
        return 0.5 * (1 + Math.Cos(Math.PI * x));
    }

    /// <summary>The least-lagged replicas under the hard limit keep serving (weight 1) when too few are within the normal limit.</summary>
    private static int AddMinimumServingSet(BackendPool[] replicas, Span<int> weights, GtidPosition floor, RoutingOptions options, int missing)
    {
        int added = 0;
        while (missing-- > 0)
        {
            int best = -1;
            TimeSpan bestLag = options.HardReplicaLag.Value;
            for (int i = 0; i < replicas.Length; i++)
            {
                BackendHealth health = replicas[i].Health;
                if (weights[i] == 0 && health.IsUp && replicas[i].Backend.Weight > 0 && replicas[i].Backend.State == BackendState.Online &&
                    health.SmoothedLag is { } lag && lag < bestLag &&
                    (floor.IsEmpty || health.Position.Covers(floor)))
                {
                    best = i;
                    bestLag = lag;
                }
            }

            if (best < 0)
            {
                break;
            }

            weights[best] = 1;
            added++;
        }

        return added;
    }

    /// <summary>
    /// Ties broken by in-flight work: among the replicas whose effective weight equals the one drawn, the one with
    /// the fewest connections in use. Equal weights keep equal long-run shares (the rule is symmetric), while a
    /// burst of concurrent reads spreads instead of piling onto whichever replica the dice favoured.
    /// </summary>
    private static BackendPool LeastBusyOfEqualWeight(BackendPool[] replicas, ReadOnlySpan<int> weights, int drawn)
    {
        int chosen = drawn;
        int load = replicas[drawn].InUse;
        for (int j = 0; j < weights.Length && load > 0; j++)
        {
            if (j != drawn && weights[j] == weights[drawn] && replicas[j].InUse < load)
            {
                chosen = j;
                load = replicas[j].InUse;
            }
        }

        return replicas[chosen];
    }

    private static int AveragePositive(ReadOnlySpan<int> weights)
    {
        int sum = 0;
        int count = 0;
        foreach (int w in weights)
        {
            if (w > 0)
            {
                sum += w;
                count++;
            }
        }

        return count == 0 ? 100 : sum / count;
    }
}
