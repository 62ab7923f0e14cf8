using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

public sealed class SmokeTests(ProxyFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task Select_ThroughProxy_ReturnsPrimaryResult()
    {
        await using var connection = new MySqlConnection(fixture.ConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new MySqlCommand("SELECT 1 + 1, @@server_id", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2L, reader.GetInt64(0));
        Assert.Equal((long)Topology.Primary.Port, Convert.ToInt64(reader.GetValue(1)));
    }
}
