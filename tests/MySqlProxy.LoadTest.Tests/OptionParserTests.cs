namespace MySqlProxy.LoadTest.Tests;

public sealed class OptionParserTests
{
    [Fact]
    public void Parse_TypicalCommandLine_SetsEverything()
    {
        LoadTestOptions o = OptionParser.Parse(
        [
            "--targets", "direct=127.0.0.1:13306,proxy=127.0.0.1:6033", "--target=haproxy=127.0.0.1:13310",
            "--proxy-pid", "123", "--pid", "haproxy=456", "--connections=16", "--duration", "30s", "--warmup", "500ms",
            "--rounds", "5", "--user", "u", "--password", "p", "--prepare", "--prepared", "--tables", "2",
            "--replicas", "127.0.0.1:13307, 127.0.0.1:13308", "--workloads", "point-select,read-only-tx=4s",
            "--json", "out.json", "--markdown", "out.md", "--no-rotate",
        ]);
        Assert.Equal(["direct", "proxy", "haproxy"], o.Targets.Select(t => t.Name));
        Assert.Equal(new TargetSpec("haproxy", "127.0.0.1", 13310), o.Targets[2]);
        Assert.Equal(123, o.Pids["proxy"]);
        Assert.Equal(456, o.Pids["haproxy"]);
        Assert.Equal(16, o.Connections);
        Assert.Equal(TimeSpan.FromSeconds(30), o.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.Warmup);
        Assert.Equal(5, o.Rounds);
        Assert.Equal(("u", "p"), (o.User, o.Password));
        Assert.True(o.Prepare);
        Assert.True(o.Prepared);
        Assert.False(o.Rotate);
        Assert.Equal(2, o.Tables);
        Assert.Equal([new Endpoint("127.0.0.1", 13307), new Endpoint("127.0.0.1", 13308)], o.Replicas);
        Assert.Equal([new WorkloadSpec("point-select", null), new WorkloadSpec("read-only-tx", TimeSpan.FromSeconds(4))], o.Workloads);
        Assert.Equal(("out.json", "out.md"), (o.JsonPath, o.MarkdownPath));
        Assert.Equal(new Endpoint("127.0.0.1", 13306), o.EffectivePrimary);
    }

    [Fact]
    public void Parse_Defaults_PointSelectEightConnectionsThreeRounds()
    {
        LoadTestOptions o = OptionParser.Parse(["--targets", "proxy=localhost:6033"]);
        Assert.Equal([new WorkloadSpec("point-select", null)], o.Workloads);
        Assert.Equal(8, o.Connections);
        Assert.Equal(3, o.Rounds);
        Assert.Equal(TimeSpan.FromSeconds(10), o.Duration);
        Assert.Equal(TimeSpan.FromSeconds(2), o.Warmup);
        Assert.True(o.Rotate);
        Assert.Null(o.Count);
        Assert.Equal(("app", "app", "app"), (o.User, o.Password, o.Database));
    }

    [Fact]
    public void Parse_Idle_NeedsNoWorkload()
    {
        LoadTestOptions o = OptionParser.Parse(["--idle", "2000", "--targets", "proxy=127.0.0.1:6033", "--proxy-pid", "9"]);
        Assert.Equal(2000, o.Idle);
        Assert.Empty(o.Workloads);
    }

    [Fact]
    public void Parse_MixedLag_TakesTheFirstReplicaUnlessTold()
    {
        LoadTestOptions o = OptionParser.Parse(["--targets", "p=h:1", "--workloads", "mixed-lag", "--replicas", "h:2,h:3", "--lag-mode", "stop", "--writers", "1"]);
        Assert.Equal(new Endpoint("h", 2), o.EffectiveLagReplica);
        Assert.Equal(LagMode.Stop, o.LagMode);
        Assert.Equal(1, o.Writers);
        o = OptionParser.Parse(["--targets", "p=h:1", "--workloads", "mixed-lag", "--replicas", "h:2,h:3", "--lag-replica", "h:3"]);
        Assert.Equal(new Endpoint("h", 3), o.EffectiveLagReplica);
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("10s", 10)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("7", 7)]
    [InlineData("1.5s", 1.5)]
    public void ParseDuration_Units(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), OptionParser.ParseDuration(text, "--duration"));
    }

    [Theory]
    [InlineData(new[] { "--connections", "8" }, "--targets")]
    [InlineData(new[] { "--targets", "proxy" }, "NAME=HOST:PORT")]
    [InlineData(new[] { "--targets", "proxy=127.0.0.1" }, "HOST:PORT")]
    [InlineData(new[] { "--targets", "proxy=127.0.0.1:99999" }, "out of range")]
    [InlineData(new[] { "--targets", "a=h:1,a=h:2" }, "appears twice")]
    [InlineData(new[] { "--targets", "a b=h:1" }, "may hold only")]
    [InlineData(new[] { "--targets", "a=h:1", "--pid", "b=1" }, "no target is named 'b'")]
    [InlineData(new[] { "--targets", "a=h:1", "--connections", "0" }, "out of range")]
    [InlineData(new[] { "--targets", "a=h:1", "--connections" }, "needs a value")]
    [InlineData(new[] { "--targets", "a=h:1", "--duration", "soon" }, "not a duration")]
    [InlineData(new[] { "--targets", "a=h:1", "--duration", "0" }, "more than zero")]
    [InlineData(new[] { "--targets", "a=h:1", "--workloads", "tpcc" }, "unknown workload 'tpcc'")]
    [InlineData(new[] { "--targets", "a=h:1", "--workloads", "mixed-lag" }, "--replicas")]
    [InlineData(new[] { "--targets", "a=h:1", "--lag-mode", "sleep" }, "neither delay nor stop")]
    [InlineData(new[] { "--targets", "a=h:1", "--prepare=yes" }, "takes no value")]
    [InlineData(new[] { "--targets", "a=h:1", "--frobnicate" }, "unknown option '--frobnicate'")]
    [InlineData(new[] { "--targets", "a=h:1", "stray" }, "unexpected argument 'stray'")]
    [InlineData(new[] { "--targets", "a=h:1", "--writers", "9" }, "more than --connections")]
    [InlineData(new[] { "--targets", "a=h:1", "--proxy-admin", "ftp://x" }, "not an http URL")]
    public void Parse_Invalid_NamesTheProblem(string[] args, string message)
    {
        OptionException ex = Assert.Throws<OptionException>(() => OptionParser.Parse(args));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Help_SkipsValidation()
    {
        Assert.True(OptionParser.Parse(["--help"]).Help);
        Assert.Contains("--targets", OptionParser.Usage, StringComparison.Ordinal);
    }
}
