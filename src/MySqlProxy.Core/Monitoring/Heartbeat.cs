namespace MySqlProxy.Core.Monitoring;

/// <summary>
/// The proxy's heartbeat: the primary's monitor writes the primary's own clock (microseconds) into
/// <c>mysqlproxy.heartbeat</c> every interval and learns the offset between that clock and the proxy's;
/// a replica's lag is then how long ago, on the primary's clock, the first heartbeat it has not applied
/// was written (0 when it has the newest). Clock skew between hosts cancels out because every time is
/// the primary's.
/// </summary>
internal sealed class Heartbeat
{
    private const int History = 256;

    private readonly Lock _lock = new();
    private readonly long[] _written = new long[History];
    private readonly GtidPosition?[] _positions = new GtidPosition?[History];
    private int _count;
    private double _offsetMicros;
    private bool _offsetKnown;

    /// <summary>The SQL that creates the table on the primary.</summary>
    public const string CreateSql =
        "CREATE DATABASE IF NOT EXISTS mysqlproxy; " +
        "CREATE TABLE IF NOT EXISTS mysqlproxy.heartbeat (id INT NOT NULL PRIMARY KEY, ts BIGINT NOT NULL, written_by VARCHAR(64) NOT NULL) ENGINE=InnoDB";

    /// <summary>Records a heartbeat written with the primary's timestamp, and the clock offset seen at the write.</summary>
    public void Written(long primaryMicros, long localMidpointMicros, GtidPosition? position = null)
    {
        lock (_lock)
        {
            _positions[_count % History] = position is { IsEmpty: false } ? position : null;
            _written[_count % History] = primaryMicros;
            _count++;
            double offset = primaryMicros - localMidpointMicros;
            _offsetMicros = _offsetKnown ? (0.8 * _offsetMicros) + (0.2 * offset) : offset;
            _offsetKnown = true;
        }
    }

    /// <summary>
    /// The lag of a replica that has applied the heartbeat written at <paramref name="replicatedMicros"/>,
    /// read at local time <paramref name="localMicros"/>; null while nothing is known.
    /// </summary>
    public TimeSpan? LagOf(long replicatedMicros, long localMicros, GtidPosition? replicaPosition = null)
    {
        lock (_lock)
        {
            if (!_offsetKnown || _count == 0)
            {
                return null;
            }

            double primaryNow = localMicros + _offsetMicros;
            if (replicaPosition is { IsEmpty: false } && DateFirstMissing(replicaPosition, replicatedMicros) is { } missingSince)
            {
                return TimeSpan.FromMicroseconds(Math.Max(0, primaryNow - missingSince));
            }

            // The oldest heartbeat written after the one the replica has: it has been missing since then.
            long next = long.MaxValue;
            bool olderKnown = false;
            int available = Math.Min(_count, History);
            for (int i = 0; i < available; i++)
            {
                long written = _written[i];
                if (written > replicatedMicros && written < next)
                {
                    next = written;
                }

                olderKnown |= written <= replicatedMicros;
            }

            if (next == long.MaxValue)
            {
                return TimeSpan.Zero;
            }

            if (!olderKnown)
            {
                // Behind everything remembered: count from the heartbeat it has (at most one interval high).
                return TimeSpan.FromMicroseconds(Math.Max(0, primaryNow - replicatedMicros));
            }

            return TimeSpan.FromMicroseconds(Math.Max(0, primaryNow - next));
        }
    }

    /// <summary>
    /// When (primary's clock, microseconds) the first transaction the replica lacks was committed, from the GTID
    /// positions recorded with the heartbeats (<see cref="double.MaxValue"/>, meaning no lag, when it has the newest
    /// heartbeat's position); between heartbeats k (applied) and k+1 (not), the
    /// transactions written between them are dated evenly across that interval, so a replica that lacks writes made
    /// just after heartbeat k is counted from then, not from heartbeat k+1. Null when the positions cannot tell
    /// (no positions recorded, the replica lacks everything remembered, or the newest heartbeat the replica has,
    /// <paramref name="replicatedMicros"/>, was not written between the heartbeat it has and the one it lacks: a
    /// replica that does not replicate from this primary, or a position read a heartbeat apart from it).
    /// </summary>
    private double? DateFirstMissing(GtidPosition replica, long replicatedMicros)
    {
        int available = Math.Min(_count, History);
        int start = _count - available;
        long? appliedTs = null;
        GtidPosition? appliedPos = null;
        for (int i = 0; i < available; i++)
        {
            int slot = (start + i) % History;
            GtidPosition? position = _positions[slot];
            if (position is null)
            {
                return null;
            }

            if (replica.Covers(position))
            {
                appliedTs = _written[slot];
                appliedPos = position;
                continue;
            }

            // The replica's newest heartbeat (any proxy's: several may write the same row) must lie between the
            // two, else the positions do not describe this replica's stream (it replicates from elsewhere).
            if (appliedPos is null || appliedTs is not long from || replicatedMicros < from || replicatedMicros >= _written[slot])
            {
                return null;
            }

            // Heartbeat slot is the first the replica lacks; the transactions between the two are dated evenly.
            ulong span = appliedPos.Behind(position);
            ulong lacking = replica.Behind(position);
            if (span == 0 || lacking == 0 || lacking > span)
            {
                return _written[slot];
            }

            double firstMissing = span - lacking + 1;
            return from + ((_written[slot] - from) * firstMissing / span);
        }

        // It has the newest heartbeat's position: nothing measurable is missing.
        return appliedTs is long newest && replicatedMicros >= newest ? double.MaxValue : null;
    }

    /// <summary>Microseconds on the proxy's clock (Unix epoch).</summary>
    public static long LocalMicros() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
