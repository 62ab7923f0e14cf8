using System.Text.Json;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Control;
using MySqlProxy.Core.Listener;
using MySqlProxy.Core.Sessions;

namespace MySqlProxy.Admin.Metrics;

/// <summary>
/// The proxy's metrics for <c>GET /metrics</c>, read from <see cref="ProxyControl"/> at scrape time (nothing is
/// counted per statement here). The names are a contract: README "Admin endpoint" lists them.
/// </summary>
internal static class ProxyMetricsWriter
{
    private static readonly BackendState[] s_states = Enum.GetValues<BackendState>();
    private static readonly PinCauses[] s_causes = [.. Enum.GetValues<PinCauses>().Where(c => c != PinCauses.None)];

    public static string Write(MySqlListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ProxyControl control = listener.Control;
        IReadOnlyList<BackendView> backends = control.Backends();
        var text = new PrometheusText();

        text.Metric("mysqlproxy_up", "gauge", "1 while the proxy listens and its primary answers (the readiness check), else 0");
        text.Sample("mysqlproxy_up", listener.IsReady ? 1 : 0);

        text.Metric("mysqlproxy_backend_up", "gauge", "1 while the backend answers the monitor's health checks, else 0");
        foreach (BackendView b in backends)
        {
            text.Sample("mysqlproxy_backend_up", b.Up ? 1 : 0, ("backend", b.Name), ("role", b.Role));
        }

        text.Metric("mysqlproxy_backend_state", "gauge", "1 for the state operators set on the backend (online, draining, offline), 0 for the others");
        foreach (BackendView b in backends)
        {
            foreach (BackendState state in s_states)
            {
                text.Sample("mysqlproxy_backend_state", b.State == state ? 1 : 0, ("backend", b.Name), ("state", StateName(state)));
            }
        }

        text.Metric("mysqlproxy_backend_replicating", "gauge", "1 while both replication threads of the replica run, else 0");
        foreach (BackendView b in backends)
        {
            if (b.Replicating is bool replicating)
            {
                text.Sample("mysqlproxy_backend_replicating", replicating ? 1 : 0, ("backend", b.Name));
            }
        }

        text.Metric("mysqlproxy_backend_lag_seconds", "gauge", "Smoothed replication lag of the replica (the proxy's heartbeat), in seconds; absent while unknown");
        foreach (BackendView b in backends)
        {
            if (b.Role == "replica" && b.SmoothedLagMs is double lag)
            {
                text.Sample("mysqlproxy_backend_lag_seconds", lag / 1000.0, ("backend", b.Name));
            }
        }

        text.Metric("mysqlproxy_backend_weight", "gauge", "Configured share of reads of the backend (0-1000)");
        foreach (BackendView b in backends)
        {
            text.Sample("mysqlproxy_backend_weight", b.Weight, ("backend", b.Name));
        }

        text.Metric("mysqlproxy_backend_effective_weight", "gauge", "Weight x lag factor now; 0 when down, draining, offline or too far behind");
        foreach (BackendView b in backends)
        {
            text.Sample("mysqlproxy_backend_effective_weight", b.EffectiveWeight, ("backend", b.Name));
        }

        text.Metric("mysqlproxy_backend_connections_open", "gauge", "Backend connections open (idle, in use or opening)");
        foreach (BackendView b in backends)
        {
            text.Sample("mysqlproxy_backend_connections_open", b.ConnectionsOpen, ("backend", b.Name));
        }

        text.Metric("mysqlproxy_backend_connections_in_use", "gauge", "Backend connections lent to client sessions");
        foreach (BackendView b in backends)
        {
            text.Sample("mysqlproxy_backend_connections_in_use", b.ConnectionsInUse, ("backend", b.Name));
        }

        text.Metric("mysqlproxy_statements_total", "counter", "Statements run on the backend since start");
        foreach (BackendView b in backends)
        {
            text.Sample("mysqlproxy_statements_total", b.Statements, ("backend", b.Name));
        }

        text.Metric("mysqlproxy_statement_errors_total", "counter", "Statements the backend answered with an error, or lost, since start");
        foreach (BackendView b in backends)
        {
            text.Sample("mysqlproxy_statement_errors_total", b.Errors, ("backend", b.Name));
        }

        IReadOnlyList<BackendStatementStats> stats = control.StatementStats();
        text.Metric("mysqlproxy_statements_routed_total", "counter", "Statements by backend and route: write, read (balanced onto a replica), read_on_primary, pinned, hint (a hint or rule named it)");
        foreach (BackendStatementStats b in stats)
        {
            foreach ((string route, long count) in b.Routed)
            {
                text.Sample("mysqlproxy_statements_routed_total", count, ("backend", b.Name), ("route", route));
            }
        }

        text.Metric("mysqlproxy_statement_duration_seconds", "histogram", "Time from a statement's arrival to the end of its response, per backend");
        foreach (BackendStatementStats b in stats)
        {
            long cumulative = 0;
            for (int i = 0; i < b.Buckets.Count; i++)
            {
                cumulative += b.Buckets[i];
                string le = i < b.BucketBounds.Count ? b.BucketBounds[i].ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "+Inf";
                text.Sample("mysqlproxy_statement_duration_seconds_bucket", cumulative, ("backend", b.Name), ("le", le));
            }

            text.Sample("mysqlproxy_statement_duration_seconds_sum", b.SumSeconds, ("backend", b.Name));
            text.Sample("mysqlproxy_statement_duration_seconds_count", cumulative, ("backend", b.Name));
        }

        text.Metric("mysqlproxy_backend_borrow_waits_total", "counter", "Borrows of a pooled backend connection that had to wait for one to come free");
        foreach (BackendStatementStats b in stats)
        {
            text.Sample("mysqlproxy_backend_borrow_waits_total", b.BorrowWaits, ("backend", b.Name));
        }

        text.Metric("mysqlproxy_backend_borrow_wait_seconds_total", "counter", "Total time borrows waited for a free pooled backend connection");
        foreach (BackendStatementStats b in stats)
        {
            text.Sample("mysqlproxy_backend_borrow_wait_seconds_total", b.BorrowWaitSeconds, ("backend", b.Name));
        }

        text.Metric("mysqlproxy_client_connections", "gauge", "Client connections open, logged in or not");
        text.Sample("mysqlproxy_client_connections", listener.SessionCount);

        text.Metric("mysqlproxy_client_sessions", "gauge", "Logged-in client sessions");
        text.Sample("mysqlproxy_client_sessions", control.Sessions);

        text.Metric("mysqlproxy_pinned_sessions", "gauge", "Client sessions pinned to a backend connection, by cause (a session with two causes counts under both)");
        IReadOnlyDictionary<string, int> pinned = control.PinnedSessions();
        foreach (PinCauses cause in s_causes)
        {
            string name = cause.ToString();
            text.Sample("mysqlproxy_pinned_sessions", pinned.GetValueOrDefault(name), ("cause", CauseName(name)));
        }

        return text.ToString();
    }

    /// <summary>A pin cause as the admin endpoint names it: <c>UserVariable</c> is <c>user_variable</c>.</summary>
    internal static string CauseName(string cause) => JsonNamingPolicy.SnakeCaseLower.ConvertName(cause);

    private static string StateName(BackendState state) => JsonNamingPolicy.SnakeCaseLower.ConvertName(state.ToString());
}
