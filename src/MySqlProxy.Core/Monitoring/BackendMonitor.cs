using System.Globalization;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Core.Monitoring;

/// <summary>
/// Checks every backend on its own connections (MySqlConnector, the monitor user) each <c>monitor.interval</c>:
/// reachability, replication threads and the applied GTID position. <see cref="FailuresToDown"/> failed checks
/// in a row mark a backend down (new statements avoid it at once, its idle pooled connections are closed);
/// <see cref="SuccessesToUp"/> good ones bring it back.
/// </summary>
internal sealed class BackendMonitor : IAsyncDisposable
{
    public const int FailuresToDown = 3;
    public const int SuccessesToUp = 2;

    private readonly ProxyContext _context;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly Heartbeat _heartbeat = new();

    public BackendMonitor(ProxyContext context, ILogger logger)
    {
        _context = context;
        _logger = logger;
    }

    public void Start()
    {
        _context.PoolAdded += Watch;
        foreach (BackendPool pool in _context.Pools)
        {
            Watch(pool);
        }
    }

    /// <summary>Starts checking one more backend (one added at run time); its loop ends when it is removed.</summary>
    public void Watch(BackendPool pool)
    {
        lock (_loops)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _loops.RemoveAll(t => t.IsCompleted);
            _loops.Add(Task.Run(() => WatchAsync(pool, _stop.Token)));
        }
    }

    /// <summary>
    /// Waits (at most <paramref name="timeout"/>) until every replica's lag is known or has been checked a few
    /// times, so that the first clients' reads are spread by measured lag instead of all going to the primary.
    /// </summary>
    public async Task WaitForFirstChecksAsync(TimeSpan timeout, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < timeout && !ct.IsCancellationRequested)
        {
            bool ready = true;
            foreach (BackendPool pool in _context.ReplicaPools)
            {
                ready &= pool.Health.SmoothedLag is not null || pool.Checks >= 4;
            }

            if (ready)
            {
                return;
            }

            await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _context.PoolAdded -= Watch;
        Task[] loops;
        lock (_loops)
        {
            _stop.Cancel();
            loops = [.. _loops];
        }

        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private async Task WatchAsync(BackendPool pool, CancellationToken ct)
    {
        MonitorOptions options = _context.Options.Monitor;
        TimeSpan interval = options.Interval.Value;
        var builder = new MySqlConnectionStringBuilder
        {
            Server = pool.Backend.Host,
            Port = (uint)pool.Backend.Port,
            UserID = options.User,
            Password = options.Password,
            Pooling = false,
            ConnectionTimeout = (uint)Math.Max(1, Math.Ceiling(Math.Max(interval.TotalSeconds * 4, 1))),
            DefaultCommandTimeout = (uint)Math.Max(1, Math.Ceiling(Math.Max(interval.TotalSeconds * 4, 1))),
            AllowUserVariables = true,
        };
        MySqlConnection? connection = null;
        int failures = 0;
        int successes = 0;
        bool up = true;
        using var timer = new PeriodicTimer(interval);
        while (!ct.IsCancellationRequested && !pool.Removed)
        {
            BackendHealth observed;
            try
            {
                if (connection is null)
                {
                    connection = new MySqlConnection(builder.ConnectionString);
                    await connection.OpenAsync(CancellationToken.None).ConfigureAwait(false);
                }

                // Not cancelled on stop: MySqlConnector's cancellation of a running command drains the connection
                // with synchronous socket reads, which with inline socket completions block the very thread that
                // would complete them (seen as a SIGTERM that never finished). A check ends within its command
                // timeout; the loop stops at the next tick.
                observed = await CheckAsync(connection, pool.Backend, pool.Health, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MySqlException or InvalidOperationException or IOException or TimeoutException or System.Net.Sockets.SocketException)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                }

                observed = new BackendHealth { IsUp = false, Error = ex.Message, CheckedAt = DateTime.UtcNow };
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (observed.IsUp)
            {
                failures = 0;
                successes++;
            }
            else
            {
                successes = 0;
                failures++;
            }

            bool wasUp = up;
            up = up ? failures < FailuresToDown : successes >= SuccessesToUp;
            pool.Health = observed with { IsUp = up };
            pool.Checks++;
            if (wasUp && !up)
            {
                Diagnostics.Log.BackendDown(_logger, pool.Backend.Name, observed.Error ?? "check failed");
                pool.CloseIdle(all: true);
            }
            else if (!wasUp && up)
            {
                Diagnostics.Log.BackendUp(_logger, pool.Backend.Name);
            }

            try
            {
                await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<BackendHealth> CheckAsync(MySqlConnection connection, BackendEndpoint backend, BackendHealth previous, CancellationToken ct)
    {
        if (backend.Role == BackendRole.Primary)
        {
            return await CheckPrimaryAsync(connection, ct).ConfigureAwait(false);
        }

        bool isReplica = false;
        bool replicating = false;
        double? behind = null;
        await using (var status = new MySqlCommand("SHOW SLAVE STATUS", connection))
        await using (var reader = await status.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                isReplica = true;
                replicating = string.Equals(reader["Slave_IO_Running"] as string, "Yes", StringComparison.OrdinalIgnoreCase) &&
                    string.Equals(reader["Slave_SQL_Running"] as string, "Yes", StringComparison.OrdinalIgnoreCase);
                object seconds = reader["Seconds_Behind_Master"];
                behind = seconds is DBNull ? null : Convert.ToDouble(seconds, CultureInfo.InvariantCulture);
            }
        }

        string? position;
        long? replicated = null;
        long before = Heartbeat.LocalMicros();
        try
        {
            await using var command = new MySqlCommand("SELECT @@gtid_slave_pos, (SELECT MAX(ts) FROM mysqlproxy.heartbeat)", connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            position = reader.IsDBNull(0) ? null : reader.GetString(0);
            replicated = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        }
        catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.NoSuchTable or MySqlErrorCode.UnknownDatabase)
        {
            // The heartbeat table has not replicated here yet: reachable, lag unknown.
            await using var command = new MySqlCommand("SELECT @@gtid_slave_pos", connection);
            position = await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
        }

        long after = Heartbeat.LocalMicros();
        TimeSpan? lag = null;
        if (isReplica && replicating && replicated is long ts)
        {
            lag = _heartbeat.LagOf(ts, (before + after) / 2, GtidPosition.Parse(position));
        }

        // Smoothed so that one slow poll does not flap the replica in and out of rotation.
        // Only rises are smoothed: a replica that caught up serves again at once, one slow poll does not flap it out.
        TimeSpan? smoothed = lag is null ? null :
            previous.SmoothedLag is { } last && previous.Lag is not null && lag.Value > last
                ? TimeSpan.FromMicroseconds((0.6 * last.TotalMicroseconds) + (0.4 * lag.Value.TotalMicroseconds))
                : lag;
        return new BackendHealth
        {
            IsUp = true,
            IsReplica = isReplica,
            Replicating = replicating,
            SecondsBehindMaster = behind,
            Position = GtidPosition.Parse(position),
            Lag = lag,
            SmoothedLag = smoothed,
            CheckedAt = DateTime.UtcNow,
        };
    }

    /// <summary>The primary: writes the heartbeat (its own clock, read back) and reads its GTID position.</summary>
    private async Task<BackendHealth> CheckPrimaryAsync(MySqlConnection connection, CancellationToken ct)
    {
        long before = Heartbeat.LocalMicros();
        long written;
        string? position;
        try
        {
            (written, position) = await WriteHeartbeatAsync(connection, ct).ConfigureAwait(false);
        }
        catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.NoSuchTable or MySqlErrorCode.UnknownDatabase)
        {
            await using (var create = new MySqlCommand(Heartbeat.CreateSql, connection))
            {
                await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            before = Heartbeat.LocalMicros();
            (written, position) = await WriteHeartbeatAsync(connection, ct).ConfigureAwait(false);
        }
        catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.OptionPreventsStatement or MySqlErrorCode.TableAccessDenied or MySqlErrorCode.DatabaseAccessDenied)
        {
            // read_only, or no write privilege on mysqlproxy.*: the primary is reachable, lag cannot be measured.
            await using var gtid = new MySqlCommand("SELECT @@gtid_binlog_pos", connection);
            return new BackendHealth
            {
                IsUp = true,
                Position = GtidPosition.Parse(await gtid.ExecuteScalarAsync(ct).ConfigureAwait(false) as string),
                Lag = TimeSpan.Zero,
                SmoothedLag = TimeSpan.Zero,
                Error = ex.Message,
                CheckedAt = DateTime.UtcNow,
            };
        }

        long after = Heartbeat.LocalMicros();
        _heartbeat.Written(written, (before + after) / 2, GtidPosition.Parse(position));
        return new BackendHealth
        {
            IsUp = true,
            Position = GtidPosition.Parse(position),
            Lag = TimeSpan.Zero,
            SmoothedLag = TimeSpan.Zero,
            CheckedAt = DateTime.UtcNow,
        };
    }

    private static async Task<(long Written, string? Position)> WriteHeartbeatAsync(MySqlConnection connection, CancellationToken ct)
    {
        await using var command = new MySqlCommand(
            "REPLACE INTO mysqlproxy.heartbeat (id, ts, written_by) VALUES (1, CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED), 'mysqlproxy'); " +
            "SELECT ts, @@gtid_binlog_pos FROM mysqlproxy.heartbeat WHERE id = 1", connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }
}
