using MySqlProxy.Core.Configuration;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Lag;

/// <summary>Dedicated proxies for the lag tests.</summary>
internal static class LagProxy
{
    /// <summary>
    /// A proxy with the product's own routing limits (max_replica_lag, hard_replica_lag, lag_floor: the test
    /// infrastructure widens them for tests on a busy machine; these tests are about them) and read_your_writes off:
    /// the tests' reading sessions never write, and monotonic reads would otherwise keep a session away from a replica
    /// that is behind the one it read last, so the split would not be the balancer's alone. Then <paramref name="configure"/>.
    /// </summary>
    public static Task<ProxyInstance> StartAsync(Action<ProxyOptions>? configure = null) =>
        ProxyInstance.StartAsync(o =>
        {
            var product = new RoutingOptions();
            o.Routing.MaxReplicaLag = product.MaxReplicaLag;
            o.Routing.HardReplicaLag = product.HardReplicaLag;
            o.Routing.LagFloor = product.LagFloor;
            o.Routing.MinServingReplicas = product.MinServingReplicas;
            o.Routing.ReadYourWrites = false;
            configure?.Invoke(o);
        });
}
