using System.Text;
using MySqlProxy.Core.Routing;

namespace MySqlProxy.Core.Tests.Rules;

public sealed class StatementDigestTests
{
    [Theory]
    [InlineData("SELECT * FROM t WHERE id = 5", "SELECT * FROM t WHERE id = 42")]
    [InlineData("select * from t where id = 5", "SELECT  *\n FROM t /* c */ WHERE id = 'x'")]
    [InlineData("SELECT a FROM t WHERE k IN (1, 2, 3)", "SELECT a FROM t WHERE k IN (4)")]
    [InlineData("INSERT INTO t VALUES (1, 'a')", "insert into t values (2, 'bb')")]
    [InlineData("SELECT ?", "SELECT 1")]
    public void Hash_SameShapeDifferentValues_Equal(string a, string b) =>
        Assert.Equal(StatementDigest.Hash(a), StatementDigest.Hash(b));

    [Theory]
    [InlineData("SELECT a FROM t", "SELECT b FROM t")]
    [InlineData("SELECT * FROM t WHERE id = 5", "SELECT * FROM u WHERE id = 5")]
    [InlineData("DELETE FROM t WHERE id = 1", "SELECT * FROM t WHERE id = 1")]
    public void Hash_DifferentShape_Differs(string a, string b) =>
        Assert.NotEqual(StatementDigest.Hash(a), StatementDigest.Hash(b));

    [Fact]
    public void Text_NormalizesLiteralsCaseAndLists() =>
        Assert.Equal("select a from t where id = ? and k in (...)", StatementDigest.Text("SELECT a FROM t WHERE id = 7 AND k IN (1,2,3)"));

    [Fact]
    public void Hash_OfBytesAndOfString_Agree() =>
        Assert.Equal(StatementDigest.Hash("SELECT 1"), StatementDigest.Hash(Encoding.UTF8.GetBytes("SELECT 1")));
}
