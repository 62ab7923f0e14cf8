using System.Diagnostics;

namespace MySqlProxy.Core.Diagnostics;

/// <summary>Why a statement went to the backend it ran on (the <c>route</c> label of the metrics).</summary>
internal enum RouteKind
{
    /// <summary>A write, DDL, locking read, side-effect read or session-state change: the primary.</summary>
    Write,

    /// <summary>A read balanced onto a replica.</summary>
    Read,

    /// <summary>A read the primary served: no replica qualified, read-your-writes, or reads_on_primary: always.</summary>
    ReadOnPrimary,

    /// <summary>The session was pinned to its connection (transaction, lock, session state).</summary>
    Pinned,

    /// <summary>A comment hint or a query rule named the backend or the primary.</summary>
    Hint,
}

/// <summary>
/// Per backend: statements by route and a latency histogram (Prometheus buckets, in seconds), updated with
/// interlocked operations only, so recording a statement allocates nothing.
/// </summary>
internal sealed class StatementCounters
{
    /// <summary>Upper bounds of the latency buckets in seconds (the last bucket, +Inf, is implied).</summary>
    public static readonly double[] Bounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly long[] s_boundTicks = [.. Bounds.Select(b => (long)(b * Stopwatch.Frequency))];

    private readonly long[] _routes = new long[Enum.GetValues<RouteKind>().Length];
    private readonly long[] _buckets = new long[Bounds.Length + 1];
    private long _sumTicks;

    /// <summary>Records one statement that ran for <paramref name="elapsedTimestampTicks"/> (Stopwatch ticks).</summary>
    public void Record(RouteKind route, long elapsedTimestampTicks)
    {
        Interlocked.Increment(ref _routes[(int)route]);
        int i = 0;
        while (i < s_boundTicks.Length && elapsedTimestampTicks > s_boundTicks[i])
        {
            i++;
        }

        Interlocked.Increment(ref _buckets[i]);
        Interlocked.Add(ref _sumTicks, elapsedTimestampTicks);
    }

    /// <summary>Statements sent here for <paramref name="route"/>.</summary>
    public long Routed(RouteKind route) => Interlocked.Read(ref _routes[(int)route]);

    /// <summary>Statements per bucket (not cumulative), the last one above every bound.</summary>
    public long[] Buckets()
    {
        long[] copy = new long[_buckets.Length];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = Interlocked.Read(ref _buckets[i]);
        }

        return copy;
    }

    /// <summary>Total time of the statements counted, in seconds.</summary>
    public double SumSeconds => (double)Interlocked.Read(ref _sumTicks) / Stopwatch.Frequency;
}
