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
    private readonly BackendPool[] _replicas;

    private volatile RoutingSnapshot _snapshot;

    public Router(BackendPool primary, IReadOnlyList<BackendPool> replicas, RoutingOptions options)
    {
        _primary = primary;
        _replicas = [.. replicas];
        _snapshot = new RoutingSnapshot(options, QueryRules.Compile(options.Rules));
    }

    /// <summary>The routing settings in force.</summary>
    public RoutingOptions Options => _snapshot.Options;

    /// <summary>The compiled query rules in force.</summary>
    public QueryRules Rules => _snapshot.Rules;

    /// <summary>Puts new routing settings in force for the next statement; sessions keep their connections.</summary>
    public void Update(RoutingOptions options) => _snapshot = new RoutingSnapshot(options, QueryRules.Compile(options.Rules));

    public BackendPool Primary => _primary;

    /// <summary>
    /// A backend for a read that must see <paramref name="floor"/>; null when no backend may take it
    /// (no replica qualifies and reads_on_primary is never).
    /// </summary>
    public BackendPool? ChooseForRead(GtidPosition floor)
    {
        RoutingOptions options = Options;
        int total = 0;
        Span<int> weights = _replicas.Length <= 64 ? stackalloc int[_replicas.Length] : new int[_replicas.Length];
        for (int i = 0; i < _replicas.Length; i++)
        {
            BackendPool replica = _replicas[i];
            BackendHealth health = replica.Health;
            int weight = replica.Backend.Weight;
            if (weight <= 0 || !health.IsUp || (!floor.IsEmpty && !health.Position.Covers(floor)))
            {
                weight = 0;
            }

            weights[i] = weight;
            total += weight;
        }

        int primaryWeight = options.ReadsOnPrimary == ReadsOnPrimary.Always && _primary.Health.IsUp ? AveragePositive(weights) : 0;
        if (total + primaryWeight == 0)
        {
            return options.ReadsOnPrimary == ReadsOnPrimary.Never ? null : _primary;
        }

        int pick = Random.Shared.Next(total + primaryWeight);
        for (int i = 0; i < weights.Length; i++)
        {
            if (pick < weights[i])
            {
                return _replicas[i];
            }

            pick -= weights[i];
        }

        return _primary;
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
