using System.Collections.Concurrent;
using System.Diagnostics;

namespace MySqlProxy.Core.Diagnostics;

/// <summary>
/// Statistics per statement digest (the statement's shape without its values): count, errors, total and
/// maximum time, a latency histogram for percentiles, rows, last seen, and counts per backend. Bounded:
/// beyond <see cref="MaxDigests"/> distinct digests the rest are counted under one "other" entry. Updating
/// an existing digest allocates nothing.
/// </summary>
internal sealed class QueryStats
{
    public const int MaxDigests = 5000;

    /// <summary>The digest hash the rest are counted under when the table is full, or when a statement was too long to look at.</summary>
    public const ulong OtherDigest = 0;

    private readonly ConcurrentDictionary<ulong, DigestStats> _digests = new();
    private readonly string?[] _backends;

    /// <summary>Statistics for up to <paramref name="slots"/> backends, each known by its pool's index.</summary>
    public QueryStats(int slots) => _backends = new string?[slots];

    /// <summary>The backend in each slot (null: free).</summary>
    public IReadOnlyList<string?> Backends => _backends;

    /// <summary>Gives slot <paramref name="index"/> to backend <paramref name="name"/>, forgetting the counts of the slot's earlier backend.</summary>
    public void SetBackend(int index, string name)
    {
        if (_backends[index] is not null && _backends[index] != name)
        {
            foreach (DigestStats stats in _digests.Values)
            {
                stats.ResetBackend(index);
            }
        }

        _backends[index] = name;
    }

    /// <summary>True when the digest has an entry already (its text need not be computed again).</summary>
    public bool Knows(ulong digest) => _digests.ContainsKey(digest) || _digests.Count >= MaxDigests;

    /// <summary>Records one statement. <paramref name="text"/> is used only when the digest is new; null then means "unknown text".</summary>
    public void Record(ulong digest, string? text, int backend, long startTimestamp, long rows, bool error)
    {
        if (!_digests.TryGetValue(digest, out DigestStats? stats))
        {
            if (_digests.Count >= MaxDigests)
            {
                digest = OtherDigest;
            }

            stats = _digests.GetOrAdd(digest, new DigestStats(digest == OtherDigest ? "(other)" : text ?? "(unknown)", _backends.Length));
        }

        stats.Add(backend, Stopwatch.GetElapsedTime(startTimestamp), rows, error);
    }

    /// <summary>A snapshot of every digest.</summary>
    public IReadOnlyList<(ulong Digest, DigestStats Stats)> Snapshot() => [.. _digests.Select(p => (p.Key, p.Value))];

    /// <summary>Forgets everything.</summary>
    public void Clear() => _digests.Clear();
}

/// <summary>The counters of one digest; updated with interlocked operations only.</summary>
internal sealed class DigestStats
{
    /// <summary>Latency buckets: bucket i holds times below 2^i × 10 µs (the last one everything longer).</summary>
    public const int Buckets = 24;

    private readonly long[] _histogram = new long[Buckets];
    private readonly long[] _perBackend;
    private long _count;
    private long _errors;
    private long _totalTicks;
    private long _maxTicks;
    private long _rows;
    private long _lastSeenTicks;

    public DigestStats(string text, int backends)
    {
        Text = text;
        _perBackend = new long[Math.Max(1, backends)];
    }

    public string Text { get; }

    public long Count => Interlocked.Read(ref _count);

    public long Errors => Interlocked.Read(ref _errors);

    public TimeSpan Total => TimeSpan.FromTicks(Interlocked.Read(ref _totalTicks));

    public TimeSpan Max => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    public long Rows => Interlocked.Read(ref _rows);

    public DateTime LastSeen => new(Interlocked.Read(ref _lastSeenTicks), DateTimeKind.Utc);

    public long PerBackend(int backend) => Interlocked.Read(ref _perBackend[backend]);

    /// <summary>Forgets the count of one backend slot.</summary>
    public void ResetBackend(int backend) => Interlocked.Exchange(ref _perBackend[backend], 0);

    public void Add(int backend, TimeSpan elapsed, long rows, bool error)
    {
        Interlocked.Increment(ref _count);
        if (error)
        {
            Interlocked.Increment(ref _errors);
        }

        long ticks = elapsed.Ticks;
        Interlocked.Add(ref _totalTicks, ticks);
        long max = Interlocked.Read(ref _maxTicks);
        while (ticks > max && Interlocked.CompareExchange(ref _maxTicks, ticks, max) != max)
        {
            max = Interlocked.Read(ref _maxTicks);
        }

        Interlocked.Add(ref _rows, rows);
        Interlocked.Exchange(ref _lastSeenTicks, DateTime.UtcNow.Ticks);
        if ((uint)backend < (uint)_perBackend.Length)
        {
            Interlocked.Increment(ref _perBackend[backend]);
        }

        Interlocked.Increment(ref _histogram[Bucket(ticks)]);
    }

    /// <summary>The time below which <paramref name="quantile"/> of the statements finished (bucket upper bound).</summary>
    public TimeSpan Percentile(double quantile)
    {
        long total = 0;
        Span<long> counts = stackalloc long[Buckets];
        for (int i = 0; i < Buckets; i++)
        {
            counts[i] = Interlocked.Read(ref _histogram[i]);
            total += counts[i];
        }

        if (total == 0)
        {
            return TimeSpan.Zero;
        }

        long rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (int i = 0; i < Buckets; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return i == Buckets - 1 ? Max : TimeSpan.FromMicroseconds(10L << i);
            }
        }

        return Max;
    }

    private static int Bucket(long ticks)
    {
        long micros = ticks / 10;
        int bucket = 0;
        long bound = 10;
        while (micros >= bound && bucket < Buckets - 1)
        {
            bound <<= 1;
            bucket++;
        }

        return bucket;
    }
}
