using System.Diagnostics.Metrics;
using MySqlProxy.Core.Sessions;

namespace MySqlProxy.Core.Diagnostics;

/// <summary>
/// The data path's numbers for metrics (System.Diagnostics.Metrics, meter "MySqlProxy"): backend
/// connections open and in use per backend, borrow waits, client sessions, and pinned sessions by cause.
/// Observed on demand; nothing is counted per packet.
/// </summary>
internal sealed class ProxyMetrics : IDisposable
{
    public const string MeterName = "MySqlProxy";

    private readonly Meter _meter = new(MeterName);

    public ProxyMetrics(ProxyContext context)
    {
        _meter.CreateObservableGauge("mysqlproxy.backend.connections.open",
            () => context.Pools.Select(p => new Measurement<int>(p.Open, new KeyValuePair<string, object?>("backend", p.Backend.Name))),
            description: "Backend connections open (idle, in use or opening)");
        _meter.CreateObservableGauge("mysqlproxy.backend.connections.in_use",
            () => context.Pools.Select(p => new Measurement<int>(p.InUse, new KeyValuePair<string, object?>("backend", p.Backend.Name))),
            description: "Backend connections lent to client sessions");
        _meter.CreateObservableCounter("mysqlproxy.backend.borrow.waits",
            () => context.Pools.Select(p => new Measurement<long>(p.Waits.Count, new KeyValuePair<string, object?>("backend", p.Backend.Name))),
            description: "Borrows that waited for a free backend connection");
        _meter.CreateObservableCounter("mysqlproxy.backend.borrow.wait_time",
            () => context.Pools.Select(p => new Measurement<double>(p.Waits.Total.TotalSeconds, new KeyValuePair<string, object?>("backend", p.Backend.Name))),
            unit: "s", description: "Total time borrows waited for a free backend connection");
        _meter.CreateObservableGauge("mysqlproxy.client.sessions", () => context.Sessions.Count, description: "Logged-in client sessions");
        _meter.CreateObservableGauge("mysqlproxy.client.sessions.pinned", () => PinnedByCause(context), description: "Client sessions pinned to a backend connection, by cause");
    }

    /// <summary>Sessions pinned now, counted per cause (a session with two causes counts under both).</summary>
    public static IEnumerable<Measurement<int>> PinnedByCause(ProxyContext context)
    {
        var counts = new Dictionary<PinCauses, int>();
        foreach (ClientSession session in context.Sessions.Snapshot())
        {
            PinCauses pins = session.Pins;
            foreach (PinCauses cause in Enum.GetValues<PinCauses>())
            {
                if (cause != PinCauses.None && (pins & cause) != 0)
                {
                    counts[cause] = counts.GetValueOrDefault(cause) + 1;
                }
            }
        }

        return counts.Select(p => new Measurement<int>(p.Value, new KeyValuePair<string, object?>("cause", p.Key.ToString())));
    }

    public void Dispose() => _meter.Dispose();
}
