using MySqlConnector;
using MySqlProxy.Core.Configuration;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Rules;

public sealed class QueryRuleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HashSet<long>> ServerIdsAsync(MySqlConnection connection, string sql, int times)
    {
        var ids = new HashSet<long>();
        for (int i = 0; i < times; i++)
        {
            await using var command = new MySqlCommand(sql, connection);
            ids.Add(Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture));
        }

        return ids;
    }

    [Fact(Timeout = 60_000)]
    public async Task Rule_AddedAtRunTime_ReroutesNextStatementWithoutReconnecting()
    {
        await using var proxy = await ProxyInstance.StartAsync();
        await using var connection = new MySqlConnection(proxy.ConnectionString());
        await connection.OpenAsync(Ct);
        const string sql = "SELECT @@server_id AS rule_probe";
        Assert.DoesNotContain((long)Topology.Primary.Port, await ServerIdsAsync(connection, sql, 20));

        var routing = new RoutingOptions();
        routing.Rules.Add(new RuleOptions { Match = "rule_probe", Route = "primary" });
        proxy.Listener.UpdateRouting(routing);
        Assert.Equal([(long)Topology.Primary.Port], await ServerIdsAsync(connection, sql, 10));

        routing = new RoutingOptions();
        routing.Rules.Add(new RuleOptions { Digest = "SELECT @@server_id AS rule_probe", Route = "db3" });
        proxy.Listener.UpdateRouting(routing);
        Assert.Equal([(long)Topology.Replicas[1].Port], await ServerIdsAsync(connection, sql, 10));

        // A comment hint still wins over a rule.
        Assert.Equal([(long)Topology.Primary.Port], await ServerIdsAsync(connection, "SELECT /* route=primary */ @@server_id AS rule_probe", 3));
    }

    [Fact(Timeout = 60_000)]
    public async Task Rule_FromConfig_ForOneUserOnly()
    {
        await using var proxy = await ProxyInstance.StartAsync(o =>
            o.Routing.Rules.Add(new RuleOptions { Match = "^select @@server_id", User = "admin", Route = "primary" }));
        await using var admin = new MySqlConnection(proxy.ConnectionString("admin", "admin"));
        await admin.OpenAsync(Ct);
        Assert.Equal([(long)Topology.Primary.Port], await ServerIdsAsync(admin, "select @@server_id", 10));
        await using var app = new MySqlConnection(proxy.ConnectionString());
        await app.OpenAsync(Ct);
        Assert.DoesNotContain((long)Topology.Primary.Port, await ServerIdsAsync(app, "select @@server_id", 10));
    }
}
