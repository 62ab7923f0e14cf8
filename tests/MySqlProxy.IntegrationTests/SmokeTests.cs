using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

public sealed class SmokeTests(ProxyFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task Select_ThroughProxy_RunsOnAReplica()
    {
        await using var connection = new MySqlConnection(fixture.ConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new MySqlCommand("SELECT 1 + 1, @@server_id", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2L, reader.GetInt64(0));
        Assert.Contains(Convert.ToInt64(reader.GetValue(1)), Topology.Replicas.Select(r => (long)r.Port));
    }

    [Fact(Timeout = 30_000)]
    public async Task Select_WithPrimaryHint_RunsOnPrimary()
    {
        await using var connection = new MySqlConnection(fixture.ConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new MySqlCommand("SELECT /* route=primary */ @@server_id", connection);
        Assert.Equal((long)Topology.Primary.Port, Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken)));
    }
}
