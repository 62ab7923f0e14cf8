using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Control;

namespace MySqlProxy.Admin.Backends;

/// <summary>
/// A backend as <c>GET /api/backends</c> shows it: configuration, run-time settings (weight, state, max_lag,
/// the ones <c>PATCH</c> changes), health, lag, load and statements per second.
/// </summary>
/// <param name="Name">The backend's name in proxy.yaml.</param>
/// <param name="Role">primary or replica.</param>
/// <param name="Host">Its address in proxy.yaml.</param>
/// <param name="Port">Its port in proxy.yaml.</param>
/// <param name="State">What operators want of it: online, draining or offline.</param>
/// <param name="Up">Whether it answers the monitor's health checks.</param>
/// <param name="Replicating">For a replica, whether both replication threads run; null for the primary.</param>
/// <param name="LagMs">Last measured replication lag in milliseconds (heartbeat); null when unknown or for the primary.</param>
/// <param name="SmoothedLagMs">The smoothed lag routing uses.</param>
/// <param name="SecondsBehindMaster">The server's own Seconds_Behind_Master, as a cross-check.</param>
/// <param name="Weight">Configured share of reads (0-1000).</param>
/// <param name="EffectiveWeight">Weight x lag factor now; 0 when down, draining, offline or too far behind.</param>
/// <param name="MaxLag">This backend's own lag limit, tighter than routing.max_replica_lag; null: the routing limit.</param>
/// <param name="ConnectionsOpen">Backend connections open (idle, in use or opening).</param>
/// <param name="ConnectionsInUse">Backend connections lent to client sessions.</param>
/// <param name="Statements">Statements run on it since start.</param>
/// <param name="Errors">Statements it answered with an error, or lost, since start.</param>
/// <param name="Qps">Statements per second over the last second.</param>
/// <param name="GtidPosition">The GTID position the monitor last saw applied.</param>
/// <param name="Error">Why the last health check failed, if it did.</param>
/// <param name="CatchingUp">A replica that answers but is not yet replicating within its lag limit: it gets no reads until it is.</param>
internal sealed record BackendResource(
    string Name,
    string Role,
    string Host,
    int Port,
    BackendState State,
    bool Up,
    bool? Replicating,
    double? LagMs,
    double? SmoothedLagMs,
    double? SecondsBehindMaster,
    int Weight,
    double EffectiveWeight,
    Duration? MaxLag,
    int ConnectionsOpen,
    int ConnectionsInUse,
    long Statements,
    long Errors,
    double Qps,
    string GtidPosition,
    string? Error,
    bool CatchingUp)
{
    public static BackendResource From(BackendView view, double qps)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new BackendResource(
            view.Name,
            view.Role,
            view.Host,
            view.Port,
            view.State,
            view.Up,
            view.Replicating,
            view.LagMs,
            view.SmoothedLagMs,
            view.SecondsBehindMaster,
            view.Weight,
            view.EffectiveWeight,
            view.MaxLagMs is double ms ? Duration.FromMilliseconds(ms) : null,
            view.ConnectionsOpen,
            view.ConnectionsInUse,
            view.Statements,
            view.Errors,
            Math.Round(qps, 2),
            view.GtidPosition,
            view.Error,
            view.CatchingUp);
    }
}
