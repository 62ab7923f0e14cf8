using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Routing;

/// <summary>
/// Anomalies an application can see through the proxy and not directly: each test states the correct
/// behaviour and is skipped with the bug it shows and the fix, until the fix lands.
/// </summary>
public sealed class RoutingBugTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 60_000)]
    [InlineData("SELECT @x := 1")]
    [InlineData("SELECT @never_set")]
    [InlineData("SELECT CAST('1x' AS SIGNED)")]
    [InlineData("SELECT 1")]
    public async Task ReadThenWrite_WriteRunsOnPrimary(string read)
    {
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "rtw", "id INT");
        await Servers.WaitForReplicaReadAsync(connection, await Servers.IdsAsync());

        await using (var command = new MySqlCommand(read, connection))
        await using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.NextResultAsync(Ct))
            {
            }
        }

        await Servers.ExecAsync(connection, $"INSERT INTO {table} VALUES (1)");
        Assert.Equal(1L, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT COUNT(*) FROM {table}", Ct)));
    }

    [Fact(Timeout = 60_000)]
    public async Task ParenthesisedSelectThenWrite_MultiStatement_RunsOnPrimary()
    {
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "paren", "id INT");
        await Servers.WaitForReplicaReadAsync(connection, await Servers.IdsAsync());

        await Servers.ExecAsync(connection, $"(SELECT 1); INSERT INTO {table} VALUES (1)");

        await using MySqlConnection direct = await Db.OpenAsync(Topology.Direct(), Ct);
        Assert.Equal(1L, Convert.ToInt64(await Db.ScalarAsync(direct, $"SELECT COUNT(*) FROM {table}", Ct)));
    }

    [Fact(Timeout = 60_000)]
    public async Task GetLockWithSpace_RunsOnPrimary()
    {
        ServerIds ids = await Servers.IdsAsync();
        string name = Db.UniqueName("lock");
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);

        long id = await Servers.ServerIdAsync(connection, $"SELECT @@server_id, GET_LOCK ('{name}', 0)");
        await Servers.ExecAsync(connection, $"DO RELEASE_LOCK('{name}')");

        Assert.True(id == ids.Primary, $"GET_LOCK ran on {ids.Name(id)}");
    }

    [Fact(Timeout = 60_000)]
    public async Task DescribeUpdate_WorksLikeDirect()
    {
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "descupd", "id INT");
        await Servers.WaitForReplicaReadAsync(connection, await Servers.IdsAsync());

        await Db.QueryAsync(connection, $"DESC UPDATE {table} SET id = 1", prepare: false, Ct);
    }

    [Fact(Timeout = 60_000)]
    public async Task HintTextInsideString_IsData()
    {
        await using MySqlConnection connection = await Servers.OpenAsync(fixture);
        await using OwnedTable table = await Servers.CreateTableAsync(connection, "hintstr", "note VARCHAR(100)");
        await Servers.WaitForReplicaReadAsync(connection, await Servers.IdsAsync());

        await Servers.ExecAsync(connection,
            $"INSERT INTO {table} VALUES ('-- route=nosuch'), ('/* route=nosuch */'), ('C# route=nosuch')");

        Assert.Equal(3L, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT COUNT(*) FROM {table}", Ct)));
    }
}
