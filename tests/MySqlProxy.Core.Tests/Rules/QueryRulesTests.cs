using System.Text;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Routing;

namespace MySqlProxy.Core.Tests.Rules;

public sealed class QueryRulesTests
{
    private static QueryRule? Find(QueryRules rules, string sql, string user = "app", string? schema = "app") =>
        rules.Find(Encoding.UTF8.GetBytes(sql), user, schema);

    [Fact]
    public void Find_RegexRule_MatchesCaseInsensitively()
    {
        QueryRules rules = QueryRules.Compile([new RuleOptions { Match = "^select .* from reports", Route = "replica" }]);
        QueryRule? rule = Find(rules, "SELECT x FROM reports WHERE y = 1");
        Assert.NotNull(rule);
        Assert.Equal(HintTarget.Replica, rule.Target);
        Assert.Null(Find(rules, "SELECT x FROM orders"));
    }

    [Fact]
    public void Find_DigestRule_MatchesSameShapeOnly()
    {
        QueryRules rules = QueryRules.Compile([new RuleOptions { Digest = "SELECT * FROM t WHERE id = 1", Route = "primary" }]);
        Assert.Equal(HintTarget.Primary, Find(rules, "select * from t where id = 99")?.Target);
        Assert.Null(Find(rules, "select * from t where name = 'x'"));
    }

    [Fact]
    public void Find_FirstMatchingRuleWins_InOrder()
    {
        QueryRules rules = QueryRules.Compile(
        [
            new RuleOptions { Match = "reports", Route = "db3" },
            new RuleOptions { Match = "select", Route = "primary" },
        ]);
        QueryRule? rule = Find(rules, "select * from reports");
        Assert.Equal(HintTarget.Named, rule?.Target);
        Assert.Equal("db3", rule?.Backend);
        Assert.Equal(HintTarget.Primary, Find(rules, "select 1")?.Target);
    }

    [Fact]
    public void Find_UserAndSchemaFilters_Apply()
    {
        QueryRules rules = QueryRules.Compile([new RuleOptions { Match = ".", User = "report", Schema = "dw", Route = "replica" }]);
        Assert.Null(Find(rules, "select 1", user: "app", schema: "dw"));
        Assert.Null(Find(rules, "select 1", user: "report", schema: "app"));
        Assert.NotNull(Find(rules, "select 1", user: "report", schema: "dw"));
    }

    [Fact]
    public void Compile_NoRules_IsEmptyAndFindsNothing()
    {
        QueryRules rules = QueryRules.Compile([]);
        Assert.Equal(0, rules.Count);
        Assert.Null(Find(rules, "select 1"));
    }

    [Fact]
    public void Validator_BadRegexAndUnknownRoute_NameTheRule()
    {
        var options = new ProxyOptions();
        options.Backends.Primary = new BackendOptions { Name = "db1", Host = "127.0.0.1", Port = 3306 };
        options.Users.Add(new UserOptions { User = "app", Password = "app" });
        options.Routing.Rules.Add(new RuleOptions { Match = "(", Route = "primary" });
        options.Routing.Rules.Add(new RuleOptions { Match = "x", Route = "nowhere" });
        options.Routing.Rules.Add(new RuleOptions { Route = "primary" });
        var result = new ProxyOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("routing.rules[0].match:", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("routing.rules[1].route:", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("routing.rules[2]:", StringComparison.Ordinal));
    }
}
