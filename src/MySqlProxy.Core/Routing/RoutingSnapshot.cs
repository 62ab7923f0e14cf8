using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Core.Routing;

/// <summary>Routing settings and their compiled rules, swapped as one.</summary>
internal sealed record RoutingSnapshot(RoutingOptions Options, QueryRules Rules);
