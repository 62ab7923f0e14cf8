using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin.Diagnostics;
using MySqlProxy.Core.Control;

namespace MySqlProxy.Admin.Backends;

/// <summary>
/// Statements per second per backend: the backends' statement counters sampled once a second, the rate being
/// the difference between the last two samples. The data path keeps only the counters; nothing here touches it.
/// </summary>
internal sealed class StatementRateSampler : IAsyncDisposable
{
    private readonly ProxyControl _control;
    private readonly TimeSpan _period;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, double> _rates = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _last = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private long _lastTimestamp;
    private Task? _loop;

    public StatementRateSampler(ProxyControl control, TimeSpan period, ILogger logger)
    {
        _control = control;
        _period = period;
        _logger = logger;
    }

    /// <summary>Statements per second on <paramref name="backend"/> over the last sampling period (0 before the first).</summary>
    public double Rate(string backend) => _rates.GetValueOrDefault(backend);

    public void Start()
    {
        Sample();
        _loop = RunAsync(_stop.Token);
    }

    /// <summary>Takes one sample now (the loop calls it every period; tests may call it directly).</summary>
    internal void Sample()
    {
        lock (_lock)
        {
            SampleLocked();
        }
    }

    private void SampleLocked()
    {
        long now = Stopwatch.GetTimestamp();
        double seconds = _lastTimestamp == 0 ? 0 : Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
        foreach (BackendView backend in _control.Backends())
        {
            if (_last.TryGetValue(backend.Name, out long previous) && seconds > 0)
            {
                _rates[backend.Name] = Math.Max(0, backend.Statements - previous) / seconds;
            }

            _last[backend.Name] = backend.Statements;
        }

        _lastTimestamp = now;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_period);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    Sample();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failed sample only leaves the last rates in place; the next tick tries again.
                    Log.SamplerFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
