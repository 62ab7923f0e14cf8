using MySqlProxy.Core.Monitoring;

namespace MySqlProxy.Core.Tests.Monitoring;

/// <summary>
/// Lag from the heartbeat: the age, on the primary's clock, of the first transaction a replica lacks, dated from the
/// GTID positions recorded with the heartbeats (transactions between two heartbeats spread evenly between them).
/// </summary>
public sealed class HeartbeatTests
{
    private static Heartbeat TwoHeartbeats()
    {
        var heartbeat = new Heartbeat();
        // Primary and proxy clocks agree (offset 0): heartbeat 10 at t=1000 µs, 9 writes, then heartbeat 20 at t=2000 µs.
        heartbeat.Written(1000, 1000, GtidPosition.Parse("0-1-10"));
        heartbeat.Written(2000, 2000, GtidPosition.Parse("0-1-20"));
        return heartbeat;
    }

    [Theory]
    [InlineData("0-1-20", 2000, 0)]       // has the newest heartbeat
    [InlineData("0-1-19", 1000, 500)]     // lacks only the heartbeat written at 2000
    [InlineData("0-1-15", 1000, 900)]     // first missing is the 6th of 10 between the heartbeats: 1600
    [InlineData("0-1-10", 1000, 1400)]    // lacks everything after heartbeat 10: counted from just after it (1100), not from 2000
    public void LagOf_ReplicaBetweenHeartbeats_DatesItsFirstMissingTransaction(string replicaPosition, long newestHeartbeat, double expectedMicros)
    {
        Heartbeat heartbeat = TwoHeartbeats();
        TimeSpan? lag = heartbeat.LagOf(newestHeartbeat, localMicros: 2500, GtidPosition.Parse(replicaPosition));
        Assert.Equal(expectedMicros, lag!.Value.TotalMicroseconds, 1.0);
    }

    [Fact]
    public void LagOf_WithoutPositions_CountsFromTheFirstMissingHeartbeat()
    {
        var heartbeat = new Heartbeat();
        heartbeat.Written(1000, 1000);
        heartbeat.Written(2000, 2000);
        Assert.Equal(500, heartbeat.LagOf(1000, 2500)!.Value.TotalMicroseconds, 1.0);
        Assert.Equal(TimeSpan.Zero, heartbeat.LagOf(2000, 2500));
    }

    [Fact]
    public void LagOf_ReplicaBehindEverythingRemembered_FallsBackToItsNewestHeartbeat()
    {
        Heartbeat heartbeat = TwoHeartbeats();
        // Lacks heartbeat 10 too: the positions cannot date it; its own newest heartbeat (t=500) can.
        Assert.Equal(2000, heartbeat.LagOf(500, 2500, GtidPosition.Parse("0-1-3"))!.Value.TotalMicroseconds, 1.0);
    }

    [Fact]
    public void LagOf_PositionsDisagreeWithTheReplicasHeartbeat_CountsFromTheHeartbeats()
    {
        Heartbeat heartbeat = TwoHeartbeats();
        // Its GTID position says it has everything, but its newest heartbeat is the one of t=1000 (it replicates from
        // another server whose sequence numbers happen to be higher): the heartbeats decide, 500 µs.
        Assert.Equal(500, heartbeat.LagOf(1000, 2500, GtidPosition.Parse("0-7-900"))!.Value.TotalMicroseconds, 1.0);
    }

    [Fact]
    public void LagOf_AnotherProxysHeartbeatBetween_StillDatedFromThePositions()
    {
        Heartbeat heartbeat = TwoHeartbeats();
        // A second proxy on the same primary wrote the heartbeat row at t=1500: the replica's newest heartbeat is
        // that one, between this proxy's two; the positions still date its first missing transaction (1600).
        Assert.Equal(900, heartbeat.LagOf(1500, 2500, GtidPosition.Parse("0-1-15"))!.Value.TotalMicroseconds, 1.0);
    }

    [Fact]
    public void LagOf_NothingWrittenYet_IsUnknown() =>
        Assert.Null(new Heartbeat().LagOf(1000, 2000, GtidPosition.Parse("0-1-1")));
}
