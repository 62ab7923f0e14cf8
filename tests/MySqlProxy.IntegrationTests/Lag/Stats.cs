namespace MySqlProxy.IntegrationTests.Lag;

/// <summary>Clocks and summaries for the lag tests' measurements.</summary>
internal static class Stats
{
    /// <summary>The local clock in microseconds since the epoch (the primary runs on this host: the same clock).</summary>
    public static long LocalMicros() => Micros(DateTime.UtcNow);

    public static long Micros(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static double Mean(IEnumerable<double> values)
    {
        double sum = 0;
        int count = 0;
        foreach (double value in values)
        {
            sum += value;
            count++;
        }

        return count == 0 ? double.NaN : sum / count;
    }

    public static double Percentile(IEnumerable<double> values, double percent)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Round((sorted.Length - 1) * percent / 100)];
    }
}
