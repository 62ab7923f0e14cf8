using System.Globalization;

namespace MySqlProxy.Core.Monitoring;

/// <summary>
/// A GTID position: the highest sequence number applied per replication domain (MariaDB
/// <c>domain-server-seq</c>, https://mariadb.com/kb/en/gtid/). Immutable; compared domain by domain.
/// </summary>
public sealed class GtidPosition
{
    public static readonly GtidPosition Empty = new(new Dictionary<uint, ulong>());

    private readonly Dictionary<uint, ulong> _sequences;

    private GtidPosition(Dictionary<uint, ulong> sequences) => _sequences = sequences;

    /// <summary>Parses "0-13306-42,1-13306-7" (a position list) or a single GTID; null or empty gives <see cref="Empty"/>.</summary>
    public static GtidPosition Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Empty;
        }

        var sequences = new Dictionary<uint, ulong>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = part.Split('-');
            if (fields.Length == 3 &&
                uint.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint domain) &&
                ulong.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong sequence))
            {
                sequences[domain] = Math.Max(sequence, sequences.GetValueOrDefault(domain));
            }
        }

        return sequences.Count == 0 ? Empty : new GtidPosition(sequences);
    }

    public bool IsEmpty => _sequences.Count == 0;

    /// <summary>True when this position has applied everything <paramref name="other"/> has (per domain).</summary>
    public bool Covers(GtidPosition other)
    {
        foreach (KeyValuePair<uint, ulong> pair in other._sequences)
        {
            if (_sequences.GetValueOrDefault(pair.Key) < pair.Value)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The later of two positions, domain by domain.</summary>
    public GtidPosition Max(GtidPosition other)
    {
        if (other.IsEmpty || Covers(other))
        {
            return this;
        }

        if (IsEmpty || other.Covers(this))
        {
            return other;
        }

        var merged = new Dictionary<uint, ulong>(_sequences);
        foreach (KeyValuePair<uint, ulong> pair in other._sequences)
        {
            merged[pair.Key] = Math.Max(pair.Value, merged.GetValueOrDefault(pair.Key));
        }

        return new GtidPosition(merged);
    }

    /// <summary>Transactions <paramref name="other"/> has that this position lacks, summed over domains.</summary>
    public ulong Behind(GtidPosition other)
    {
        ulong behind = 0;
        foreach (KeyValuePair<uint, ulong> pair in other._sequences)
        {
            ulong mine = _sequences.GetValueOrDefault(pair.Key);
            if (pair.Value > mine)
            {
                behind += pair.Value - mine;
            }
        }

        return behind;
    }

    public override string ToString() =>
        string.Join(",", _sequences.OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}-?-{p.Value}")));
}
