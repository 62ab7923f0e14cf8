using System.Globalization;

namespace MySqlProxy.Operations.Backups.Binlogs;

/// <summary>A MariaDB GTID position: per replication domain, the last applied <c>domain-server-seq</c>.</summary>
public sealed class GtidPosition
{
    private readonly Dictionary<uint, (uint Server, ulong Seq)> _domains = [];

    public static GtidPosition Parse(string? text)
    {
        var position = new GtidPosition();
        foreach (string part in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TryParseOne(part, out uint domain, out uint server, out ulong seq))
            {
                throw new FormatException($"'{part}' is not a GTID (domain-server-sequence, such as 0-1-42)");
            }

            position._domains[domain] = (server, seq);
        }

        return position;
    }

    public static bool TryParseOne(string text, out uint domain, out uint server, out ulong seq)
    {
        domain = server = 0;
        seq = 0;
        string[] p = (text ?? string.Empty).Trim().Split('-');
        return p.Length == 3 &&
            uint.TryParse(p[0], NumberStyles.None, CultureInfo.InvariantCulture, out domain) &&
            uint.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out server) &&
            ulong.TryParse(p[2], NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }

    /// <summary>The sequence number reached in a domain (0 when none).</summary>
    public ulong SeqOf(uint domain) => _domains.TryGetValue(domain, out var v) ? v.Seq : 0;

    /// <summary>True when every domain of <paramref name="other"/> is reached here.</summary>
    public bool Covers(GtidPosition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other._domains.All(d => SeqOf(d.Key) >= d.Value.Seq);
    }

    public bool IsEmpty => _domains.Count == 0;

    public override string ToString() => string.Join(',', _domains.OrderBy(d => d.Key).Select(d => $"{d.Key}-{d.Value.Server}-{d.Value.Seq}"));
}
