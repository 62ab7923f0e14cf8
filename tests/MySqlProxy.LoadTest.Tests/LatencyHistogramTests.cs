using MySqlProxy.LoadTest.Measurement;

namespace MySqlProxy.LoadTest.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void ValueAtPercentile_Empty_IsZero()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.ValueAtPercentile(99));
        Assert.Equal(0, h.Count);
    }

    [Fact]
    public void ValueAtPercentile_SmallValues_AreExact()
    {
        var h = new LatencyHistogram();
        for (int v = 1; v <= 100; v++) h.Record(v);
        Assert.Equal(50, h.ValueAtPercentile(50));
        Assert.Equal(95, h.ValueAtPercentile(95));
        Assert.Equal(99, h.ValueAtPercentile(99));
        Assert.Equal(100, h.ValueAtPercentile(100));
        Assert.Equal(1, h.ValueAtPercentile(0));
        Assert.Equal(50.5, h.Mean);
        Assert.Equal(1, h.Min);
        Assert.Equal(100, h.Max);
    }

    [Fact]
    public void ValueAtPercentile_LargeValues_WithinOneBucket()
    {
        var h = new LatencyHistogram();
        // 1,000 values 1 ms .. 1 s, evenly spread.
        for (int i = 1; i <= 1000; i++) h.Record(i * 1000L);
        foreach ((double p, long rank) in new[] { (50.0, 500L), (90, 900), (99, 990), (99.9, 999) })
        {
            long expected = rank * 1000;
            long actual = h.ValueAtPercentile(p);
            Assert.InRange(actual, expected, expected + expected / 64 + 1);
        }
        Assert.Equal(1_000_000, h.ValueAtPercentile(100));
    }

    [Fact]
    public void ValueAtPercentile_OneOutlier_ShowsOnlyAtTheTop()
    {
        var h = new LatencyHistogram();
        for (int i = 0; i < 999; i++) h.Record(200);
        h.Record(50_000);
        // 200 shares its bucket with 201 (buckets above 128 µs are 1/64 of their power of two wide).
        Assert.InRange(h.ValueAtPercentile(99), 200, 201);
        Assert.InRange(h.ValueAtPercentile(99.9), 200, 201);
        Assert.InRange(h.ValueAtPercentile(99.95), 50_000, 50_000);
    }

    [Fact]
    public void Buckets_CoverEveryValue_Contiguously()
    {
        for (int i = 0; i < LatencyHistogram.BucketCount - 1; i++)
        {
            Assert.Equal(LatencyHistogram.HighestInBucket(i) + 1, LatencyHistogram.LowestInBucket(i + 1));
            Assert.Equal(i, LatencyHistogram.IndexOf(LatencyHistogram.LowestInBucket(i)));
            Assert.Equal(i, LatencyHistogram.IndexOf(LatencyHistogram.HighestInBucket(i)));
        }
        Assert.Equal(LatencyHistogram.BucketCount - 1, LatencyHistogram.IndexOf(LatencyHistogram.MaxValue));
    }

    [Theory]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(1000)]
    [InlineData(123_456)]
    [InlineData(10_000_000_000)]
    public void Bucket_RelativeWidth_IsBelowOnePercentAndAHalf(long value)
    {
        int i = LatencyHistogram.IndexOf(value);
        long lo = LatencyHistogram.LowestInBucket(i), hi = LatencyHistogram.HighestInBucket(i);
        Assert.InRange(value, lo, hi);
        Assert.True(hi - lo <= lo / 64.0, $"bucket {lo}..{hi}");
    }

    [Fact]
    public void Record_NegativeAndHuge_AreClamped()
    {
        var h = new LatencyHistogram();
        h.Record(-5);
        h.Record(long.MaxValue);
        Assert.Equal(0, h.Min);
        Assert.Equal(LatencyHistogram.MaxValue, h.Max);
    }

    [Fact]
    public void Add_MergesCountsAndExtremes()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        for (int i = 0; i < 90; i++) a.Record(10);
        for (int i = 0; i < 10; i++) b.Record(1000);
        var all = new LatencyHistogram();
        all.Add(a);
        all.Add(b);
        all.Add(new LatencyHistogram());
        Assert.Equal(100, all.Count);
        Assert.Equal(10, all.Min);
        Assert.Equal(1000, all.Max);
        Assert.Equal(10, all.ValueAtPercentile(90));
        Assert.InRange(all.ValueAtPercentile(91), 1000, 1015);
        all.Reset();
        Assert.Equal(0, all.Count);
        Assert.Equal(0, all.ValueAtPercentile(50));
    }
}
