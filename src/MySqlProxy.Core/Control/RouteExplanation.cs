namespace MySqlProxy.Core.Control;

/// <summary>Why a statement would go where it goes now.</summary>
public sealed record RouteExplanation(
    string Target,
    string Classification,
    IReadOnlyList<string> Traits,
    string? Hint,
    string? Rule,
    string Digest,
    string DigestHash,
    string Reason,
    IReadOnlyList<ReplicaChoice> Replicas);

/// <summary>One replica's standing for a read at this moment.</summary>
public sealed record ReplicaChoice(string Name, bool Up, string State, double? LagMs, double LagFactor, int Weight, double EffectiveWeight, double Share);
