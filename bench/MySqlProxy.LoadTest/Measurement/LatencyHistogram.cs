using System.Numerics;

namespace MySqlProxy.LoadTest.Measurement;

/// <summary>
/// Latency histogram in microseconds with HdrHistogram's log-linear layout: values below 128 µs
/// have a bucket each, and every power of two above is cut into 64 equal buckets, so a reported
/// percentile is within 1/64 (1.6 %) of the true value. One instance per worker thread;
/// <see cref="Record"/> only increments an array slot (no allocation, no lock).
/// </summary>
internal sealed class LatencyHistogram
{
    private const int LinearBits = 7;
    private const int LinearCount = 1 << LinearBits;        // 0..127 µs: exact
    private const int HalfCount = LinearCount / 2;          // buckets per power of two above
    private const int MaxBits = 40;                         // 2^40 µs = 12.7 days: larger values are clamped
    internal const int BucketCount = LinearCount + (MaxBits - LinearBits) * HalfCount;
    internal const long MaxValue = (1L << MaxBits) - 1;

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>Number of recorded values.</summary>
    public long Count { get; private set; }

    /// <summary>Largest recorded value (µs).</summary>
    public long Max { get; private set; }

    /// <summary>Smallest recorded value (µs); 0 when empty.</summary>
    public long Min { get; private set; }

    /// <summary>Sum of recorded values (µs), for the mean.</summary>
    public long Sum { get; private set; }

    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        if (micros > MaxValue) micros = MaxValue;
        _counts[IndexOf(micros)]++;
        if (Count == 0 || micros < Min) Min = micros;
        if (micros > Max) Max = micros;
        Count++;
        Sum += micros;
    }

    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0) return;
        for (int i = 0; i < BucketCount; i++) _counts[i] += other._counts[i];
        Min = Count == 0 ? other.Min : Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        Count += other.Count;
        Sum += other.Sum;
    }

    public void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
        Max = 0;
        Min = 0;
        Sum = 0;
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0-100]: the highest value of the bucket holding the
    /// ceil(p% x count)-th smallest recorded value, capped at <see cref="Max"/>. 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0) return 0;
        if (percentile <= 0) return Min;
        // The epsilon keeps 99.9 % of 1,000 at rank 999 despite binary floating point.
        long rank = (long)Math.Ceiling((Math.Min(percentile, 100.0) * Count / 100.0) - 1e-9);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(Math.Max(HighestInBucket(i), Min), Max);
        }
        return Max;
    }

    internal static int IndexOf(long micros)
    {
        if (micros < LinearCount) return (int)micros;
        int msb = 63 - BitOperations.LeadingZeroCount((ulong)micros);   // >= LinearBits
        int shift = msb - (LinearBits - 1);                               // >= 1
        int sub = (int)(micros >> shift);                                 // HalfCount..LinearCount-1
        return LinearCount + (shift - 1) * HalfCount + (sub - HalfCount);
    }

    internal static long LowestInBucket(int index)
    {
        if (index < LinearCount) return index;
        int k = index - LinearCount;
        int shift = k / HalfCount + 1;
        long sub = k % HalfCount + HalfCount;
        return sub << shift;
    }

    internal static long HighestInBucket(int index)
    {
        if (index < LinearCount) return index;
        int k = index - LinearCount;
        int shift = k / HalfCount + 1;
        long sub = k % HalfCount + HalfCount;
        return ((sub + 1) << shift) - 1;
    }
}
