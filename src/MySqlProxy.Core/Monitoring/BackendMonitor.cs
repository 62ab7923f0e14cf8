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

    public BackendMonitor(ProxyContext context, ILogger logger)
    {
        _context = context;
        _logger = logger;
    }

    public void Start()
    {
        foreach (BackendPool pool in _context.Pools)
        {
            _loops.Add(Task.Run(() => WatchAsync(pool, _stop.Token)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
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
        while (!ct.IsCancellationRequested)
        {
            BackendHealth observed;
            try
            {
                if (connection is null)
                {
                    connection = new MySqlConnection(builder.ConnectionString);
                    await connection.OpenAsync(ct).ConfigureAwait(false);
                }

                observed = await CheckAsync(connection, pool.Backend, ct).ConfigureAwait(false);
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

    private static async Task<BackendHealth> CheckAsync(MySqlConnection connection, BackendEndpoint backend, CancellationToken ct)
    {
        bool isReplica = false;
        bool replicating = false;
        double? behind = null;
        if (backend.Role == BackendRole.Replica)
        {
            await using var status = new MySqlCommand("SHOW SLAVE STATUS", connection);
            await using var reader = await status.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                isReplica = true;
                replicating = string.Equals(reader["Slave_IO_Running"] as string, "Yes", StringComparison.OrdinalIgnoreCase) &&
                    string.Equals(reader["Slave_SQL_Running"] as string, "Yes", StringComparison.OrdinalIgnoreCase);
                object seconds = reader["Seconds_Behind_Master"];
                behind = seconds is DBNull ? null : Convert.ToDouble(seconds, CultureInfo.InvariantCulture);
            }
        }

        await using var command = new MySqlCommand(
            backend.Role == BackendRole.Replica ? "SELECT @@gtid_slave_pos" : "SELECT @@gtid_binlog_pos", connection);
        string? position = await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
        return new BackendHealth
        {
            IsUp = true,
            IsReplica = isReplica,
            Replicating = replicating,
            SecondsBehindMaster = behind,
            Position = GtidPosition.Parse(position),
            CheckedAt = DateTime.UtcNow,
        };
    }
}
