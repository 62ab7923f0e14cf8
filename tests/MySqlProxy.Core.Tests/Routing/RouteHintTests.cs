using System.Text;
using MySqlProxy.Core.Routing;

namespace MySqlProxy.Core.Tests.Routing;

public sealed class RouteHintTests
{
    [Theory]
    [InlineData("/* route=primary */ SELECT 1", "Primary", null)]
    [InlineData("/*route=primary*/SELECT 1", "Primary", null)]
    [InlineData("/* route=PRIMARY */ SELECT 1", "Primary", null)]
    [InlineData("/* route=master */ SELECT 1", "Primary", null)]
    [InlineData("SELECT /* route=replica */ 1", "Replica", null)]
    [InlineData("SELECT 1 /* route=slave */", "Replica", null)]
    [InlineData("/* route=db3 */ SELECT 1", "Named", "db3")]
    [InlineData("/* route=replica-2.east */ SELECT 1", "Named", "replica-2.east")]
    [InlineData("/* app=x route=primary user=y */ SELECT 1", "Primary", null)]
    [InlineData("SELECT 1 -- route=replica", "Replica", null)]
    [InlineData("-- route=primary\nSELECT 1", "Primary", null)]
    [InlineData("SELECT 1 # route=db2", "Named", "db2")]
    [InlineData("# route=db2\nSELECT 1", "Named", "db2")]
    [InlineData("/* c */ SELECT 1 /* route=primary */", "Primary", null)]
    [InlineData("/*+ route=primary */ SELECT 1", "Primary", null)]
    [InlineData("INSERT INTO t VALUES (1) /* route=replica */", "Replica", null)]
    public void Parse_HintInComment_Target(string sql, string target, string? backend)
    {
        RouteHint hint = RouteHint.Parse(Encoding.UTF8.GetBytes(sql));

        Assert.Equal(target, hint.Target.ToString());
        Assert.Equal(backend, hint.Backend);
    }

    [Theory]
    [InlineData("SELECT 1")]
    [InlineData("")]
    [InlineData("SELECT 'route=primary'")]
    [InlineData("SELECT \"route=replica\"")]
    [InlineData("SELECT `route=db3` FROM t")]
    [InlineData("SELECT * FROM t WHERE route=1")]
    [InlineData("/* c */ SELECT 'route=primary'")]
    [InlineData("SELECT 'route=primary' /* c */")]
    [InlineData("-- c\nSELECT 'route=primary'")]
    [InlineData("# c\nSELECT 'route=primary'")]
    [InlineData("/* route= */ SELECT 1")]
    [InlineData("/* route */ SELECT 1")]
    [InlineData("/* router=primary */ SELECT 1")]
    public void Parse_NoHint_None(string sql)
    {
        RouteHint hint = RouteHint.Parse(Encoding.UTF8.GetBytes(sql));

        Assert.Equal(HintTarget.None, hint.Target);
        Assert.Null(hint.Backend);
        Assert.Null(hint.MaxLag);
    }

    [Theory]
    [InlineData("SELECT '/* route=primary */'")]
    [InlineData("INSERT INTO t VALUES ('-- route=nosuch')")]
    [InlineData("SELECT 'C#', 'route=db9'")]
    [InlineData("SELECT '/*', 'route=db9'")]
    public void Parse_CommentMarkerInsideString_None(string sql)
    {
        RouteHint hint = RouteHint.Parse(Encoding.UTF8.GetBytes(sql));

        Assert.Equal(HintTarget.None, hint.Target);
        Assert.Null(hint.Backend);
    }

    [Theory]
    [InlineData("/* max_lag=200ms */ SELECT 1", 200)]
    [InlineData("SELECT 1 /* max_lag=1.5s */", 1500)]
    [InlineData("SELECT 1 -- max_lag=2", 2000)]
    [InlineData("/* max_lag=0ms */ SELECT 1", 0)]
    public void Parse_MaxLag_Duration(string sql, double milliseconds)
    {
        RouteHint hint = RouteHint.Parse(Encoding.UTF8.GetBytes(sql));

        Assert.Equal(HintTarget.None, hint.Target);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), hint.MaxLag);
    }

    [Theory]
    [InlineData("/* max_lag=abc */ SELECT 1")]
    [InlineData("/* max_lag= */ SELECT 1")]
    [InlineData("SELECT 'max_lag=200ms'")]
    public void Parse_MaxLagInvalidOrInString_Null(string sql) =>
        Assert.Null(RouteHint.Parse(Encoding.UTF8.GetBytes(sql)).MaxLag);

    [Fact]
    public void Parse_RouteAndMaxLag_Both()
    {
        RouteHint hint = RouteHint.Parse("/* route=replica max_lag=250ms */ SELECT 1"u8);

        Assert.Equal(HintTarget.Replica, hint.Target);
        Assert.Equal(TimeSpan.FromMilliseconds(250), hint.MaxLag);
    }

    [Fact]
    public void Parse_TwoRouteHints_FirstWins()
    {
        RouteHint hint = RouteHint.Parse("/* route=primary */ SELECT 1 /* route=replica */"u8);

        Assert.Equal(HintTarget.Primary, hint.Target);
    }

    [Fact]
    public void ToString_Named_ShowsBackend() =>
        Assert.Equal("route=db3", RouteHint.Parse("/* route=db3 */ SELECT 1"u8).ToString());
}
