using System.Text;
using MySqlProxy.Core.Sessions;

namespace MySqlProxy.Core.Tests.Sessions;

public sealed class SqlTextKillTests
{
    [Theory]
    [InlineData("KILL 5", false, null, 5UL)]
    [InlineData("kill query 5;", true, null, 5UL)]
    [InlineData("KILL CONNECTION 5", false, null, 5UL)]
    [InlineData("KILL HARD QUERY 7", true, "HARD", 7UL)]
    [InlineData("kill soft connection 8", false, "SOFT", 8UL)]
    [InlineData("KILL hard 12", false, "HARD", 12UL)]
    [InlineData("/* c */ KILL 9", false, null, 9UL)]
    [InlineData("   \n\t KILL\n  QUERY\r\n  11  ", true, null, 11UL)]
    [InlineData("KILL/* x */5", false, null, 5UL)]
    [InlineData("KILL 5 ; ", false, null, 5UL)]
    [InlineData("KILL 5 -- trailing comment", false, null, 5UL)]
    [InlineData("KILL 5 # trailing comment", false, null, 5UL)]
    [InlineData("# leading comment\nKILL QUERY 6", true, null, 6UL)]
    [InlineData("KILL 0", false, null, 0UL)]
    [InlineData("KILL 18446744073709551615", false, null, ulong.MaxValue)]
    public void TryParseKill_SupportedForm_Parses(string sql, bool query, string? modifier, ulong id)
    {
        Assert.True(SqlText.TryParseKill(Encoding.UTF8.GetBytes(sql), out KillStatement kill));

        Assert.Equal(new KillStatement(query ? KillScope.Query : KillScope.Connection, modifier, id), kill);
    }

    [Theory]
    [InlineData("KILL QUERY ID 5")]
    [InlineData("KILL USER app")]
    [InlineData("KILL 5 6")]
    [InlineData("SELECT 1")]
    [InlineData("KILLX 5")]
    [InlineData("KILL5")]
    [InlineData("KILL")]
    [InlineData("KILL ")]
    [InlineData("KILL QUERY")]
    [InlineData("KILL -5")]
    [InlineData("KILL 0x5")]
    [InlineData("KILL 5x")]
    [InlineData("KILL 5.0")]
    [InlineData("KILL @id")]
    [InlineData("KILL CONNECTION_ID()")]
    [InlineData("KILL CONNECTION QUERY 5")]
    [InlineData("KILL QUERY CONNECTION 5")]
    [InlineData("KILL 5; SELECT 1")]
    [InlineData("KILL 5;;")]
    [InlineData("KILL 18446744073709551616")]
    [InlineData("SKILL 5")]
    [InlineData("/*!KILL 5*/")]
    [InlineData("")]
    [InlineData("   ")]
    public void TryParseKill_OtherStatement_ReturnsFalse(string sql)
    {
        Assert.False(SqlText.TryParseKill(Encoding.UTF8.GetBytes(sql), out KillStatement kill));
        Assert.Equal(default, kill);
    }

    [Theory]
    [InlineData("  x", 2)]
    [InlineData("/* a */ /* b */x", 15)]
    [InlineData("-- a\n-- b\nx", 10)]
    [InlineData("# a\r\nx", 5)]
    [InlineData("/*! executable */", 0)]
    [InlineData("/*M! executable */", 0)]
    [InlineData("--x", 0)]
    [InlineData("/* unterminated", 15)]
    [InlineData("-- no newline", 13)]
    public void SkipSpaceAndComments_Text_StopsAtFirstSignificantByte(string sql, int expected) =>
        Assert.Equal(expected, SqlText.SkipSpaceAndComments(Encoding.UTF8.GetBytes(sql), 0));
}
