using System.Globalization;
using System.Net;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Lag;

/// <summary>Where reads ran, by server id: the topology's primary and replicas (server ids read from each server).</summary>
internal sealed class ReadSplit
{
    private ReadSplit(long primary, long[] replicas)
    {
        Primary = primary;
        Replicas = replicas;
    }

    public long Primary { get; }

    /// <summary>Server ids of <see cref="Topology.Replicas"/>, in the same order as the proxy's replica pools.</summary>
    public IReadOnlyList<long> Replicas { get; }

    public static async Task<ReadSplit> LoadAsync(CancellationToken ct)
    {
        long primary = await Replication.ServerIdAsync(Topology.Primary, ct);
        var replicas = new long[Topology.Replicas.Count];
        for (int i = 0; i < replicas.Length; i++)
        {
            replicas[i] = await Replication.ServerIdAsync(Topology.Replicas[i], ct);
        }

        return new ReadSplit(primary, replicas);
    }

    public long IdOf(IPEndPoint replica)
    {
        for (int i = 0; i < Topology.Replicas.Count; i++)
        {
            if (Topology.Replicas[i].Equals(replica))
            {
                return Replicas[i];
            }
        }

        throw new ArgumentException($"{replica} is not a replica of the topology", nameof(replica));
    }

    /// <summary>Reads per server (and failures) among <paramref name="reads"/>, as one line for the test output.</summary>
    public string Describe(IEnumerable<ReadSample> reads)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int total = 0;
        foreach (ReadSample read in reads)
        {
            string name = read.Failed ? "failed" : read.ServerId == Primary ? "primary" : $"replica {read.ServerId}";
            counts[name] = counts.GetValueOrDefault(name) + 1;
            total++;
        }

        return total == 0
            ? "no reads"
            : string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}: {c.Value} ({100.0 * c.Value / total:F1}%)")));
    }
}
