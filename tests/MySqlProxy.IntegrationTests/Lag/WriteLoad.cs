using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Lag;

/// <summary>
/// Writes flowing on the primary: a background task that inserts a row every few milliseconds through a direct
/// connection, each row carrying the primary's clock in microseconds (<c>ts</c>, the heartbeat's unit), into a
/// table of its own.
/// </summary>
internal sealed class WriteLoad : IAsyncDisposable
{
    /// <summary>The primary's clock in microseconds since the epoch, as the proxy's heartbeat writes it.</summary>
    public const string PrimaryMicros = "CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED)";

    private readonly TestTable _table;
    private readonly CancellationTokenSource _stop;
    private readonly Task _writer;
    private long _rows;

    private WriteLoad(TestTable table, TimeSpan pause, CancellationToken ct)
    {
        _table = table;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _writer = Task.Run(() => RunAsync(pause, _stop.Token), CancellationToken.None);
    }

    /// <summary>The table written to (in database app).</summary>
    public string Table => _table.Name;

    /// <summary>Rows written so far.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    public static async Task<WriteLoad> StartAsync(CancellationToken ct, TimeSpan? pause = null)
    {
        TestTable table = await TestTable.CreateAsync("lagw", "id BIGINT AUTO_INCREMENT PRIMARY KEY, ts BIGINT NOT NULL", ct);
        return new WriteLoad(table, pause ?? TimeSpan.FromMilliseconds(3), ct);
    }

    /// <summary>Fails the test if the writer stopped with an error.</summary>
    public void ThrowIfFailed()
    {
        if (_writer.IsFaulted)
        {
            _writer.GetAwaiter().GetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _writer;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        finally
        {
            _stop.Dispose();
            await _table.DisposeAsync();
        }
    }

    private async Task RunAsync(TimeSpan pause, CancellationToken ct)
    {
        await using MySqlConnection connection = await Db.OpenAsync(Topology.Direct(), ct);
        await using var insert = new MySqlCommand($"INSERT INTO `{Table}` (ts) VALUES ({PrimaryMicros})", connection);
        while (!ct.IsCancellationRequested)
        {
            await insert.ExecuteNonQueryAsync(ct);
            Interlocked.Increment(ref _rows);
            await Task.Delay(pause, ct);
        }
    }
}
