using System.Text.Json;
using MySqlProxy.Admin.Tests.Infrastructure;

namespace MySqlProxy.Admin.Tests;

/// <summary>GET and DELETE /api/queries: statement digest statistics of what clients ran through the proxy.</summary>
public sealed class QueriesApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Queries_AfterStatements_ShowTheirDigestCountTimesAndBackends()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();
        await using var connection = await proxy.OpenAsync(Ct);
        string marker = $"q_{Guid.NewGuid():N}";
        for (int i = 0; i < 7; i++)
        {
            await AdminInstance.ServerIdAsync(connection, Ct, $"SELECT @@server_id AS {marker} FROM DUAL WHERE {i} >= 0");
        }

        JsonElement explained = await proxy.GetJsonAsync("/api/routing/explain?sql=" + Uri.EscapeDataString($"SELECT @@server_id AS {marker} FROM DUAL WHERE 3 >= 0"), Ct);
        JsonElement list = await proxy.GetJsonAsync("/api/queries?limit=1000", Ct);
        JsonElement query = list.EnumerateArray().Single(q => q.GetProperty("text").GetString()!.Contains(marker, StringComparison.OrdinalIgnoreCase));

        Assert.Equal(explained.GetProperty("digest_hash").GetString(), query.GetProperty("digest").GetString());
        Assert.Equal(7, query.GetProperty("count").GetInt64());
        Assert.Equal(0, query.GetProperty("errors").GetInt64());
        Assert.Equal(7, query.GetProperty("rows").GetInt64());
        Assert.True(query.GetProperty("total_ms").GetDouble() > 0);
        Assert.True(query.GetProperty("max_ms").GetDouble() >= query.GetProperty("avg_ms").GetDouble());
        Assert.True(query.GetProperty("p99_ms").GetDouble() > 0);
        Assert.True(DateTime.UtcNow - query.GetProperty("last_seen").GetDateTime().ToUniversalTime() < TimeSpan.FromMinutes(1));
        long perBackend = query.GetProperty("per_backend").EnumerateObject().Sum(b => b.Value.GetInt64());
        Assert.Equal(7, perBackend);
        Assert.All(query.GetProperty("per_backend").EnumerateObject(), b => Assert.Contains(b.Name, new[] { "db1", "db2", "db3" }));

        Assert.Equal(1, (await proxy.GetJsonAsync("/api/queries?limit=1", Ct)).GetArrayLength());

        using (HttpResponseMessage reset = await proxy.Http.DeleteAsync("/api/queries", Ct))
        {
            await AdminInstance.ReadAsync(reset, 204, Ct);
        }

        JsonElement after = await proxy.GetJsonAsync("/api/queries", Ct);
        Assert.DoesNotContain(after.EnumerateArray(), q => q.GetProperty("text").GetString()!.Contains(marker, StringComparison.OrdinalIgnoreCase));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("many")]
    [InlineData("100000")]
    public async Task Queries_BadLimit_Is400NamingLimit(string limit)
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        JsonElement problem = await proxy.GetJsonAsync("/api/queries?limit=" + limit, Ct, 400);

        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _));
    }
}
