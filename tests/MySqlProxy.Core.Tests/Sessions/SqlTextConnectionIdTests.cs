using System.Text;
using MySqlProxy.Core.Sessions;

namespace MySqlProxy.Core.Tests.Sessions;

public sealed class SqlTextConnectionIdTests
{
    private const uint ProxyId = 42;

    [Theory]
    [InlineData("SELECT CONNECTION_ID()", "SELECT CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()`")]
    [InlineData("select connection_id()", "select CAST(0000000042 AS UNSIGNED) AS `connection_id()`")]
    [InlineData("SELECT Connection_Id()", "SELECT CAST(0000000042 AS UNSIGNED) AS `Connection_Id()`")]
    [InlineData("SELECT CONNECTION_ID();", "SELECT CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()`;")]
    [InlineData("SELECT\nCONNECTION_ID()\n", "SELECT\nCAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()`\n")]
    [InlineData("SELECT CONNECTION_ID ( )", "SELECT CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID ( )`")]
    [InlineData("SELECT CONNECTION_ID() FROM dual", "SELECT CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()` FROM dual")]
    [InlineData("SELECT CONNECTION_ID() UNION SELECT 1", "SELECT CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()` UNION SELECT 1")]
    [InlineData("SELECT CONNECTION_ID() LIMIT 1", "SELECT CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()` LIMIT 1")]
    [InlineData("SELECT CONNECTION_ID() INTO @id", "SELECT CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()` INTO @id")]
    [InlineData("SELECT CONNECTION_ID() -- id\n", "SELECT CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()` -- id\n")]
    public void RewriteConnectionId_BareSelectItem_KeepsColumnNameThroughAlias(string sql, string expected) =>
        Assert.Equal(expected, Rewrite(sql));

    [Theory]
    [InlineData("SELECT CONNECTION_ID(), 1", "SELECT CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()`, 1")]
    [InlineData("SELECT 1, CONNECTION_ID()", "SELECT 1, CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()`")]
    [InlineData("SELECT 1,CONNECTION_ID(),2", "SELECT 1,CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()`,2")]
    [InlineData("SELECT CONNECTION_ID(), CONNECTION_ID()", "SELECT CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()`, CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()`")]
    public void RewriteConnectionId_SelectListWithOtherItems_AliasesEachCall(string sql, string expected) =>
        Assert.Equal(expected, Rewrite(sql));

    [Theory]
    [InlineData("SELECT CONNECTION_ID() AS c", "SELECT CAST(0000000042 AS UNSIGNED) AS c")]
    [InlineData("SELECT CONNECTION_ID() c", "SELECT CAST(0000000042 AS UNSIGNED) c")]
    [InlineData("SELECT 1 WHERE CONNECTION_ID() > 0", "SELECT 1 WHERE CAST(0000000042 AS UNSIGNED) > 0")]
    [InlineData("SELECT * FROM t WHERE owner = CONNECTION_ID()", "SELECT * FROM t WHERE owner = CAST(0000000042 AS UNSIGNED)")]
    [InlineData("SELECT CONNECTION_ID() + 1", "SELECT CAST(0000000042 AS UNSIGNED) + 1")]
    [InlineData("SELECT CONCAT('id=', CONNECTION_ID())", "SELECT CONCAT('id=', CAST(0000000042 AS UNSIGNED))")]
    [InlineData("SELECT (CONNECTION_ID())", "SELECT (CAST(0000000042 AS UNSIGNED))")]
    [InlineData("INSERT INTO t VALUES (CONNECTION_ID(), 1)", "INSERT INTO t VALUES (CAST(0000000042 AS UNSIGNED), 1)")]
    [InlineData("INSERT INTO t VALUES (1, CONNECTION_ID())", "INSERT INTO t VALUES (1, CAST(0000000042 AS UNSIGNED))")]
    [InlineData("UPDATE t SET owner = CONNECTION_ID()", "UPDATE t SET owner = CAST(0000000042 AS UNSIGNED)")]
    [InlineData("DO CONNECTION_ID()", "DO CAST(0000000042 AS UNSIGNED)")]
    public void RewriteConnectionId_NotABareSelectItem_ReplacesWithoutAlias(string sql, string expected) =>
        Assert.Equal(expected, Rewrite(sql));

    [Theory]
    [InlineData("SELECT 'CONNECTION_ID()'")]
    [InlineData("SELECT \"CONNECTION_ID()\"")]
    [InlineData("SELECT `CONNECTION_ID()` FROM t")]
    [InlineData("SELECT 'it''s CONNECTION_ID()'")]
    [InlineData("SELECT 'it\\'s CONNECTION_ID()'")]
    [InlineData("SELECT 1 /* CONNECTION_ID() */")]
    [InlineData("SELECT 1 -- CONNECTION_ID()\n")]
    [InlineData("SELECT 1 # CONNECTION_ID()")]
    [InlineData("SELECT my_connection_id FROM t")]
    [InlineData("SELECT connection_id FROM t")]
    [InlineData("SELECT CONNECTION_IDS()")]
    [InlineData("SELECT x.CONNECTION_ID()")]
    [InlineData("SELECT `db`.CONNECTION_ID()")]
    [InlineData("SELECT CONNECTION_ID")]
    [InlineData("SELECT CONNECTION_ID(1)")]
    [InlineData("SELECT 1")]
    [InlineData("")]
    public void RewriteConnectionId_NoCall_ReturnsNull(string sql) =>
        Assert.Null(SqlText.RewriteConnectionId(Encoding.UTF8.GetBytes(sql), ProxyId));

    [Fact]
    public void RewriteConnectionId_AfterStringWithEscapes_StillRewrites()
    {
        Assert.Equal("SELECT 'a\\'b', CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()`", Rewrite("SELECT 'a\\'b', CONNECTION_ID()"));
        Assert.Equal("SELECT 'a''b', CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()`", Rewrite("SELECT 'a''b', CONNECTION_ID()"));
    }

    [Fact]
    public void RewriteConnectionId_NonAsciiAround_KeepsBytes()
    {
        Assert.Equal("SELECT 'é', CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()` -- ✓", Rewrite("SELECT 'é', CONNECTION_ID() -- ✓"));
    }

    [Theory]
    [InlineData(0u, "SELECT CAST(0000000000 AS UNSIGNED) AS `CONNECTION_ID()`")]
    [InlineData(uint.MaxValue, "SELECT CAST(4294967295 AS UNSIGNED) AS `CONNECTION_ID()`")]
    public void RewriteConnectionId_AnyId_WritesItInDecimal(uint id, string expected)
    {
        byte[]? rewritten = SqlText.RewriteConnectionId("SELECT CONNECTION_ID()"u8, id);

        Assert.NotNull(rewritten);
        Assert.Equal(expected, Encoding.UTF8.GetString(rewritten));
    }

    [Theory]
    [InlineData("SELECT * FROM t WHERE id IN (1, CONNECTION_ID(), 2)", "SELECT * FROM t WHERE id IN (1, CAST(0000000042 AS UNSIGNED), 2)")]
    [InlineData("SELECT GREATEST(1, CONNECTION_ID(), 2)", "SELECT GREATEST(1, CAST(0000000042 AS UNSIGNED), 2)")]
    [InlineData("INSERT INTO t (a, b, c) VALUES (1, CONNECTION_ID(), 3)", "INSERT INTO t (a, b, c) VALUES (1, CAST(0000000042 AS UNSIGNED), 3)")]
    public void RewriteConnectionId_BetweenCommasInsideParentheses_ReplacesWithoutAlias(string sql, string expected) =>
        Assert.Equal(expected, Rewrite(sql));

    [Fact]
    public void RewriteConnectionId_InsideExecutableComment_Rewrites()
    {
        string? rewritten = Rewrite("SELECT /*!CONNECTION_ID()*/");

        Assert.NotNull(rewritten);
        Assert.Contains("CAST(0000000042 AS UNSIGNED)", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public void RewriteConnectionId_CommentBeforeBareSelectItem_KeepsColumnName() =>
        Assert.Equal("SELECT /* c */ CAST(0000000042 AS UNSIGNED) AS `CONNECTION_ID()`", Rewrite("SELECT /* c */ CONNECTION_ID()"));

    private static string? Rewrite(string sql)
    {
        byte[]? rewritten = SqlText.RewriteConnectionId(Encoding.UTF8.GetBytes(sql), ProxyId);
        return rewritten is null ? null : Encoding.UTF8.GetString(rewritten);
    }
}
