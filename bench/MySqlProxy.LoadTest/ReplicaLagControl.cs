using System.Globalization;
using MySqlConnector;

namespace MySqlProxy.LoadTest;

/// <summary>
/// Makes one replica lag for the mixed-lag workload, through an admin connection to that replica, and
/// puts it back afterwards. Nothing is written on the replica (gtid_strict_mode would break replication):
/// only its replication threads are reconfigured.
/// <list type="bullet">
/// <item><c>delay</c>: <c>STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = n; START SLAVE</c>. The replica applies
/// every event n seconds after the primary committed it, so its lag settles at about n seconds (the
/// proxy's heartbeat keeps events flowing). Restored to the SQL_Delay it had before.</item>
/// <item><c>stop</c>: <c>STOP SLAVE SQL_THREAD</c>; its lag grows without bound, and replication shows as
/// stopped. Restored with <c>START SLAVE SQL_THREAD</c> if it was running before.</item>
/// </list>
/// After restoring, waits (up to a minute) until the replica has caught up with the primary.
/// </summary>
internal sealed class ReplicaLagControl : IAsyncDisposable
{
    private readonly LoadTestOptions _options;
    private readonly Endpoint _replica;
    private readonly TextWriter _log;
    private readonly int _originalDelay;
    private readonly bool _sqlThreadWasRunning;
    private bool _restored;

    private ReplicaLagControl(LoadTestOptions options, Endpoint replica, TextWriter log, int originalDelay, bool sqlRunning)
    {
        _options = options;
        _replica = replica;
        _log = log;
        _originalDelay = originalDelay;
        _sqlThreadWasRunning = sqlRunning;
    }

    /// <summary>What was done, for the report.</summary>
    public string Description => _options.LagMode == LagMode.Delay
        ? $"replica {_replica}: MASTER_DELAY = {_options.LagDelaySeconds} s (was {_originalDelay} s) for the whole workload"
        : $"replica {_replica}: SQL thread stopped for the whole workload";

    public static async Task<ReplicaLagControl> ApplyAsync(LoadTestOptions options, Endpoint replica, TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(replica);
        await using MySqlConnection conn = await OpenAsync(options, replica, ct).ConfigureAwait(false);
        (int delay, bool sqlRunning) = await ReadStatusAsync(conn, replica, ct).ConfigureAwait(false);
        var control = new ReplicaLagControl(options, replica, log, delay, sqlRunning);
        if (options.LagMode == LagMode.Delay)
        {
            await Database.ExecAsync(conn, "STOP SLAVE", ct).ConfigureAwait(false);
            await Database.ExecAsync(conn, $"CHANGE MASTER TO MASTER_DELAY = {options.LagDelaySeconds.ToString(CultureInfo.InvariantCulture)}", ct).ConfigureAwait(false);
            await Database.ExecAsync(conn, "START SLAVE", ct).ConfigureAwait(false);
        }
        else
        {
            await Database.ExecAsync(conn, "STOP SLAVE SQL_THREAD", ct).ConfigureAwait(false);
        }
        await log.WriteLineAsync($"lag: {control.Description}").ConfigureAwait(false);
        return control;
    }

    /// <summary>Seconds_Behind_Master of the lagged replica now (null: replication not running).</summary>
    public async Task<double?> ObserveLagAsync(CancellationToken ct)
    {
        try
        {
            await using MySqlConnection conn = await OpenAsync(_options, _replica, ct).ConfigureAwait(false);
            await using var cmd = new MySqlCommand("SHOW SLAVE STATUS", conn);
            await using MySqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await r.ReadAsync(ct).ConfigureAwait(false)) return null;
            int i = r.GetOrdinal("Seconds_Behind_Master");
            return r.IsDBNull(i) ? null : Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);
        }
        catch (MySqlException)
        {
            return null;
        }
    }

    public async Task RestoreAsync(CancellationToken ct)
    {
        if (_restored) return;
        _restored = true;
        await using MySqlConnection conn = await OpenAsync(_options, _replica, ct).ConfigureAwait(false);
        if (_options.LagMode == LagMode.Delay)
        {
            await Database.ExecAsync(conn, "STOP SLAVE", ct).ConfigureAwait(false);
            await Database.ExecAsync(conn, $"CHANGE MASTER TO MASTER_DELAY = {_originalDelay.ToString(CultureInfo.InvariantCulture)}", ct).ConfigureAwait(false);
            await Database.ExecAsync(conn, "START SLAVE", ct).ConfigureAwait(false);
        }
        else if (_sqlThreadWasRunning)
        {
            await Database.ExecAsync(conn, "START SLAVE SQL_THREAD", ct).ConfigureAwait(false);
        }
        string gtid = await Database.PrimaryPositionAsync(_options, ct).ConfigureAwait(false);
        await using var wait = new MySqlCommand("SELECT MASTER_GTID_WAIT(@g, 60)", conn);
        wait.CommandTimeout = 70;
        wait.Parameters.AddWithValue("@g", gtid);
        object? caughtUp = await wait.ExecuteScalarAsync(ct).ConfigureAwait(false);
        await _log.WriteLineAsync(Convert.ToInt32(caughtUp, CultureInfo.InvariantCulture) == 0
            ? $"lag: replica {_replica} restored and caught up"
            : $"lag: replica {_replica} restored but not caught up with {gtid} within 60 s").ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // Restore even when the run was cancelled (Ctrl-C, SIGTERM): a fresh token.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await RestoreAsync(cts.Token).ConfigureAwait(false);
    }

    private static async Task<MySqlConnection> OpenAsync(LoadTestOptions o, Endpoint replica, CancellationToken ct)
    {
        var conn = new MySqlConnection(Database.ConnectionString(replica.Host, replica.Port, o.AdminUser, o.AdminPassword, null));
        try
        {
            await conn.OpenAsync(ct).ConfigureAwait(false);
            return conn;
        }
        catch
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<(int Delay, bool SqlRunning)> ReadStatusAsync(MySqlConnection conn, Endpoint replica, CancellationToken ct)
    {
        await using var cmd = new MySqlCommand("SHOW SLAVE STATUS", conn);
        await using MySqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false))
            throw new InvalidOperationException($"{replica} is not a replica (SHOW SLAVE STATUS is empty)");
        int delay = Convert.ToInt32(r.GetValue(r.GetOrdinal("SQL_Delay")), CultureInfo.InvariantCulture);
        bool sqlRunning = string.Equals(Convert.ToString(r.GetValue(r.GetOrdinal("Slave_SQL_Running")), CultureInfo.InvariantCulture), "Yes", StringComparison.Ordinal);
        return (delay, sqlRunning);
    }
}
