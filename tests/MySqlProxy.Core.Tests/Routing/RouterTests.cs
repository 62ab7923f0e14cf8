using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Monitoring;
using MySqlProxy.Core.Routing;

namespace MySqlProxy.Core.Tests.Routing;

/// <summary>
/// <see cref="Router.ChooseForRead"/> over pools that never connect: health and positions are set by hand as the
/// monitor would set them. Shares are checked over 10,000 picks within ±3 percentage points (the binomial
/// standard deviation is below 0.5 point, so a correct router fails this about never).
/// </summary>
public sealed class RouterTests : IAsyncDisposable
{
    private const int Picks = 10_000;
    private const double Tolerance = 0.03;

    private readonly List<BackendPool> _pools = [];

    public async ValueTask DisposeAsync()
    {
        foreach (BackendPool pool in _pools)
        {
            await pool.DisposeAsync();
        }
    }

    [Fact]
    public void ChooseForRead_WeightsThreeToOne_SplitsThreeToOne()
    {
        BackendPool a = Replica("a", weight: 300);
        BackendPool b = Replica("b", weight: 100);
        Router router = Create(Primary(), [a, b]);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Empty);

        AssertShare(0.75, counts, "a");
        AssertShare(0.25, counts, "b");
        Assert.False(counts.ContainsKey("primary"));
    }

    [Fact]
    public void ChooseForRead_EqualWeights_SplitsEvenly()
    {
        Router router = Create(Primary(), [Replica("a"), Replica("b"), Replica("c")]);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Empty);

        AssertShare(1.0 / 3, counts, "a");
        AssertShare(1.0 / 3, counts, "b");
        AssertShare(1.0 / 3, counts, "c");
    }

    [Fact]
    public void ChooseForRead_EqualWeights_TieBrokenByConnectionsInUse()
    {
        BackendPool a = Replica("a");
        BackendPool b = Replica("b");
        BackendPool c = Replica("c", weight: 300);
        a.AddInUseForTests(3);
        b.AddInUseForTests(1);
        Router router = Create(Primary(), [a, b, c]);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Empty);

        // a and b tie on weight: b, less busy, takes both their shares; c keeps its own (3/5).
        Assert.False(counts.ContainsKey("a"));
        AssertShare(0.4, counts, "b");
        AssertShare(0.6, counts, "c");

        // When both are idle again, they split evenly.
        a.AddInUseForTests(-3);
        b.AddInUseForTests(-1);
        counts = Pick(router, GtidPosition.Empty);
        AssertShare(0.2, counts, "a");
        AssertShare(0.2, counts, "b");
    }

    [Fact]
    public void ChooseForRead_ReplicaDown_Skipped()
    {
        Router router = Create(Primary(), [Replica("a", up: false), Replica("b")]);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Empty);

        Assert.Equal(Picks, counts.GetValueOrDefault("b"));
    }

    [Fact]
    public void ChooseForRead_ZeroWeight_Skipped()
    {
        Router router = Create(Primary(), [Replica("a", weight: 0), Replica("b")]);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Empty);

        Assert.Equal(Picks, counts.GetValueOrDefault("b"));
    }

    [Fact]
    public void ChooseForRead_FloorAheadOfOneReplica_OnlyTheOtherOne()
    {
        Router router = Create(Primary(), [Replica("a", position: "0-1-10"), Replica("b", position: "0-1-5")]);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Parse("0-1-8"));

        Assert.Equal(Picks, counts.GetValueOrDefault("a"));
    }

    [Fact]
    public void ChooseForRead_FloorEqualToPosition_Covered()
    {
        Router router = Create(Primary(), [Replica("a", position: "0-1-10"), Replica("b", position: "0-1-10")]);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Parse("0-1-10"));

        AssertShare(0.5, counts, "a");
        AssertShare(0.5, counts, "b");
    }

    [Fact]
    public void ChooseForRead_FloorInAnotherDomain_OnlyReplicaWithThatDomain()
    {
        Router router = Create(Primary(), [Replica("a", position: "0-1-10"), Replica("b", position: "0-1-10,1-2-5")]);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Parse("0-1-9,1-2-5"));

        Assert.Equal(Picks, counts.GetValueOrDefault("b"));
    }

    [Fact]
    public void ChooseForRead_FloorWithUnknownReplicaPositions_Primary()
    {
        // Before the monitor's first check a replica's position is unknown (empty): it cannot prove it has the write.
        Router router = Create(Primary(), [Replica("a", position: ""), Replica("b", position: "")]);

        Assert.Same(router.Primary, router.ChooseForRead(GtidPosition.Parse("0-1-1")));
        Assert.NotSame(router.Primary, router.ChooseForRead(GtidPosition.Empty));
    }

    [Theory]
    [InlineData(ReadsOnPrimary.Fallback)]
    [InlineData(ReadsOnPrimary.Always)]
    public void ChooseForRead_FloorAheadOfAllReplicas_Primary(ReadsOnPrimary mode)
    {
        Router router = Create(Primary(), [Replica("a", position: "0-1-5"), Replica("b", position: "0-1-6")], mode);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Parse("0-1-7"));

        Assert.Equal(Picks, counts.GetValueOrDefault("primary"));
    }

    [Theory]
    [InlineData(ReadsOnPrimary.Fallback)]
    [InlineData(ReadsOnPrimary.Always)]
    public void ChooseForRead_AllReplicasDown_Primary(ReadsOnPrimary mode)
    {
        Router router = Create(Primary(), [Replica("a", up: false), Replica("b", up: false)], mode);

        Assert.Same(router.Primary, router.ChooseForRead(GtidPosition.Empty));
    }

    [Fact]
    public void ChooseForRead_Never_AllReplicasDown_Null()
    {
        Router router = Create(Primary(), [Replica("a", up: false), Replica("b", up: false)], ReadsOnPrimary.Never);

        Assert.Null(router.ChooseForRead(GtidPosition.Empty));
    }

    [Fact]
    public void ChooseForRead_Never_FloorAheadOfAllReplicas_Null()
    {
        Router router = Create(Primary(), [Replica("a", position: "0-1-5")], ReadsOnPrimary.Never);

        Assert.Null(router.ChooseForRead(GtidPosition.Parse("0-1-6")));
    }

    [Fact]
    public void ChooseForRead_Never_ReplicaEligible_NeverPrimary()
    {
        Router router = Create(Primary(), [Replica("a", up: false), Replica("b")], ReadsOnPrimary.Never);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Empty);

        Assert.Equal(Picks, counts.GetValueOrDefault("b"));
    }

    [Fact]
    public void ChooseForRead_Fallback_ReplicasEligible_NeverPrimary()
    {
        Router router = Create(Primary(), [Replica("a"), Replica("b")], ReadsOnPrimary.Fallback);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Empty);

        Assert.False(counts.ContainsKey("primary"));
    }

    [Fact]
    public void ChooseForRead_Always_PrimaryTakesAnAverageReplicaShare()
    {
        // The primary weighs as much as an average eligible replica: a third of the reads with two equal replicas.
        Router router = Create(Primary(), [Replica("a"), Replica("b")], ReadsOnPrimary.Always);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Empty);

        AssertShare(1.0 / 3, counts, "primary");
        AssertShare(1.0 / 3, counts, "a");
        AssertShare(1.0 / 3, counts, "b");
    }

    [Fact]
    public void ChooseForRead_Always_PrimaryDown_ReplicasOnly()
    {
        Router router = Create(Primary(up: false), [Replica("a"), Replica("b")], ReadsOnPrimary.Always);

        Dictionary<string, int> counts = Pick(router, GtidPosition.Empty);

        Assert.False(counts.ContainsKey("primary"));
    }

    [Fact]
    public void ChooseForRead_NoReplicas_PrimaryOrNullByMode()
    {
        Router router = Create(Primary(), [], ReadsOnPrimary.Fallback);
        Assert.Same(router.Primary, router.ChooseForRead(GtidPosition.Empty));

        router.Update(new RoutingOptions { ReadsOnPrimary = ReadsOnPrimary.Never });
        Assert.Null(router.ChooseForRead(GtidPosition.Empty));
    }

    [Fact]
    public void ChooseForRead_ReplicaComesBackUp_ChosenAgain()
    {
        BackendPool a = Replica("a", up: false);
        Router router = Create(Primary(), [a]);
        Assert.Same(router.Primary, router.ChooseForRead(GtidPosition.Empty));

        a.Health = Health(up: true, "0-1-10");

        Assert.Same(a, router.ChooseForRead(GtidPosition.Empty));
    }

    [Fact]
    public void ChooseForRead_ReplicaCatchesUp_ChosenForTheFloor()
    {
        BackendPool a = Replica("a", position: "0-1-5");
        Router router = Create(Primary(), [a]);
        GtidPosition floor = GtidPosition.Parse("0-1-6");
        Assert.Same(router.Primary, router.ChooseForRead(floor));

        a.Health = Health(up: true, "0-1-6");

        Assert.Same(a, router.ChooseForRead(floor));
    }

    [Fact]
    public void Update_ReadsOnPrimary_AppliesToNextChoice()
    {
        Router router = Create(Primary(), [Replica("a", up: false)], ReadsOnPrimary.Fallback);
        Assert.Same(router.Primary, router.ChooseForRead(GtidPosition.Empty));

        router.Update(new RoutingOptions { ReadsOnPrimary = ReadsOnPrimary.Never });

        Assert.Null(router.ChooseForRead(GtidPosition.Empty));
        Assert.Equal(ReadsOnPrimary.Never, router.Options.ReadsOnPrimary);
    }

    private static Dictionary<string, int> Pick(Router router, GtidPosition floor)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Picks; i++)
        {
            BackendPool? pool = router.ChooseForRead(floor);
            Assert.NotNull(pool);
            counts[pool.Backend.Name] = counts.GetValueOrDefault(pool.Backend.Name) + 1;
        }

        return counts;
    }

    private static void AssertShare(double expected, Dictionary<string, int> counts, string name)
    {
        double share = counts.GetValueOrDefault(name) / (double)Picks;
        Assert.True(Math.Abs(share - expected) <= Tolerance, $"{name}: {share:P1} of the picks, expected {expected:P1} ± {Tolerance:P0}");
    }

    /// <summary>What the monitor reports for a healthy backend with no lag.</summary>
    private static BackendHealth Health(bool up, string position) => new()
    {
        IsUp = up,
        Replicating = true,
        Position = GtidPosition.Parse(position),
        Lag = TimeSpan.Zero,
        SmoothedLag = TimeSpan.Zero,
    };

    private static Router Create(BackendPool primary, BackendPool[] replicas, ReadsOnPrimary mode = ReadsOnPrimary.Fallback) =>
        new(primary, replicas, new RoutingOptions { ReadsOnPrimary = mode });

    private BackendPool Primary(bool up = true) => Pool("primary", BackendRole.Primary, 100, up, "0-1-10");

    private BackendPool Replica(string name, int weight = 100, bool up = true, string position = "0-1-10") =>
        Pool(name, BackendRole.Replica, weight, up, position);

    private BackendPool Pool(string name, BackendRole role, int weight, bool up, string position)
    {
        var pool = new BackendPool(new BackendEndpoint(name, "127.0.0.1", 1, role, weight), new PoolOptions(), TimeSpan.FromSeconds(1), _ => "pw")
        {
            Health = Health(up, position),
        };
        _pools.Add(pool);
        return pool;
    }
}
