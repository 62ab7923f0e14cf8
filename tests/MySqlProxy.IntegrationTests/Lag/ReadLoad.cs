using System.Diagnostics;
using System.Globalization;
using MySqlConnector;

namespace MySqlProxy.IntegrationTests.Lag;

/// <summary>
/// Sessions that read through the proxy over and over (<c>SELECT @@server_id</c> by default, each a new statement) and
/// record where each read ran. A session whose connection failed opens a new one for its next read (and a failed
/// open counts as a failed read). Times are measured from <see cref="Origin"/>.
/// </summary>
internal sealed class ReadLoad : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<ReadSample> _samples = [];
    private readonly CancellationToken _abort;
    private readonly Task[] _workers;
    private int _remaining;
    private volatile bool _stopping;

    private ReadLoad(string connectionString, int sessions, string sql, int? total, TimeSpan pause, CancellationToken ct)
    {
        _abort = ct;

        // A read that hangs fails the load instead of the test's whole timeout.
        connectionString = connectionString.TrimEnd(';') + ";Default Command Timeout=15;Connection Timeout=5";
        _remaining = total ?? int.MaxValue;
        _workers = new Task[sessions];
        for (int i = 0; i < sessions; i++)
        {
            _workers[i] = Task.Run(() => RunAsync(connectionString, sql, pause, _abort), CancellationToken.None);
        }
    }

    /// <summary>Stopwatch timestamp all <see cref="ReadSample"/> times count from.</summary>
    public static long Origin { get; } = Stopwatch.GetTimestamp();

    /// <summary>Time since <see cref="Origin"/>.</summary>
    public static TimeSpan Now => Stopwatch.GetElapsedTime(Origin);

    /// <summary>Starts <paramref name="sessions"/> reading sessions; with <paramref name="total"/> they stop after that many reads together.</summary>
    public static ReadLoad Start(string connectionString, int sessions, CancellationToken ct, string sql = "SELECT @@server_id", int? total = null, TimeSpan? pause = null) =>
        new(connectionString, sessions, sql, total, pause ?? TimeSpan.Zero, ct);

    /// <summary>The reads so far.</summary>
    public List<ReadSample> Snapshot()
    {
        lock (_lock)
        {
            return [.. _samples];
        }
    }

    /// <summary>Waits until a read that started at or after <paramref name="from"/> ran on <paramref name="serverId"/>; its start, or null on timeout.</summary>
    public async Task<TimeSpan?> WaitForReadOnAsync(long serverId, TimeSpan from, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            TimeSpan? first = null;
            lock (_lock)
            {
                foreach (ReadSample sample in _samples)
                {
                    if (sample.ServerId == serverId && sample.Start >= from && (first is null || sample.Start < first))
                    {
                        first = sample.Start;
                    }
                }
            }

            if (first is not null)
            {
                return first;
            }

            await Task.Delay(10, ct);
        }

        return null;
    }

    /// <summary>Waits (5 s at most) until a new read runs on <paramref name="serverId"/>; else fails the test with what the reads did instead.</summary>
    public async Task ExpectReadOnAsync(long serverId, ReadSplit ids, CancellationToken ct)
    {
        TimeSpan from = Now;
        if (await WaitForReadOnAsync(serverId, from, TimeSpan.FromSeconds(5), ct) is null)
        {
            List<ReadSample> reads = [.. Snapshot().Where(r => r.Start >= from)];
            string errors = string.Join("; ", reads.Where(r => r.Failed).Select(r => r.Error).Distinct().Take(3));
            Assert.Fail($"no read ran on server {serverId} within 5 s: {ids.Describe(reads)} {errors}");
        }
    }

    /// <summary>
    /// Stops the sessions after their current read (or waits for a bounded load to finish) and returns every read. Reads
    /// in flight are not cancelled: MySqlConnector cancels with KILL QUERY on a new connection, which is not what is tested.
    /// </summary>
    public async Task<List<ReadSample>> StopAsync(bool waitForTotal = false)
    {
        _stopping |= !waitForTotal;
        await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(60), _abort);
        return Snapshot();
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    private async Task RunAsync(string connectionString, string sql, TimeSpan pause, CancellationToken ct)
    {
        MySqlConnection? connection = null;
        try
        {
            while (!_stopping && !ct.IsCancellationRequested && Interlocked.Decrement(ref _remaining) >= 0)
            {
                TimeSpan start = Now;
                try
                {
                    if (connection is null)
                    {
                        connection = new MySqlConnection(connectionString);
                        await connection.OpenAsync(ct);
                    }

                    await using var command = new MySqlCommand(sql, connection);
                    object? value = await command.ExecuteScalarAsync(ct);
                    Add(new ReadSample(start, Now, Convert.ToInt64(value, CultureInfo.InvariantCulture), null));
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is MySqlException or InvalidOperationException or IOException)
                {
                    Add(new ReadSample(start, Now, 0, $"{(ex as MySqlException)?.Number}: {ex.Message}"));
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }

                if (pause > TimeSpan.Zero && !_stopping)
                {
                    await Task.Delay(pause, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private void Add(ReadSample sample)
    {
        lock (_lock)
        {
            _samples.Add(sample);
        }
    }
}
