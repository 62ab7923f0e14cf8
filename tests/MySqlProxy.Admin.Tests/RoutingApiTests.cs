using System.Text.Json;
using MySqlProxy.Admin.Tests.Infrastructure;

namespace MySqlProxy.Admin.Tests;

/// <summary>GET/PUT /api/routing, /api/rules and /api/routing/explain over HTTP.</summary>
public sealed class RoutingApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task GetRouting_ShowsEveryKeyAsTheFileWritesIt()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        JsonElement routing = await proxy.GetJsonAsync("/api/routing", Ct);

        Assert.Equal("2s", routing.GetProperty("max_replica_lag").GetString());
        Assert.True(routing.GetProperty("read_your_writes").GetBoolean());
        Assert.Equal("fallback", routing.GetProperty("reads_on_primary").GetString());
        Assert.Equal("100ms", routing.GetProperty("lag_floor").GetString());
        Assert.Equal(0, routing.GetProperty("min_serving_replicas").GetInt32());
        Assert.Equal("30s", routing.GetProperty("hard_replica_lag").GetString());
        Assert.Equal(0, routing.GetProperty("rules").GetArrayLength());
    }

    [Fact(Timeout = 60_000)]
    public async Task PutRouting_SomeKeys_ChangesThemAndKeepsTheRest()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        JsonElement put = await proxy.SendJsonAsync(HttpMethod.Put, "/api/routing",
            """{"max_replica_lag": "5s", "reads_on_primary": "always", "read_your_writes": false, "rules": [{"match": "^SELECT 42", "route": "primary"}]}""", 200, Ct);
        Assert.Equal("5s", put.GetProperty("max_replica_lag").GetString());

        JsonElement routing = await proxy.GetJsonAsync("/api/routing", Ct);
        Assert.Equal("5s", routing.GetProperty("max_replica_lag").GetString());
        Assert.Equal("always", routing.GetProperty("reads_on_primary").GetString());
        Assert.False(routing.GetProperty("read_your_writes").GetBoolean());
        Assert.Equal("100ms", routing.GetProperty("lag_floor").GetString());
        Assert.Equal("^SELECT 42", routing.GetProperty("rules")[0].GetProperty("match").GetString());

        // A bare number is seconds, as in proxy.yaml.
        JsonElement seconds = await proxy.SendJsonAsync(HttpMethod.Put, "/api/routing", """{"max_replica_lag": 3}""", 200, Ct);
        Assert.Equal("3s", seconds.GetProperty("max_replica_lag").GetString());
    }

    [Theory(Timeout = 60_000)]
    [InlineData("""{"max_replica_lag": "0s"}""", "max_replica_lag")]
    [InlineData("""{"max_replica_lag": "later"}""", "max_replica_lag")]
    [InlineData("""{"lag_floor": "5s"}""", "lag_floor")]
    [InlineData("""{"hard_replica_lag": "1s"}""", "hard_replica_lag")]
    [InlineData("""{"min_serving_replicas": -1}""", "min_serving_replicas")]
    [InlineData("""{"reads_on_primary": "sometimes"}""", "reads_on_primary")]
    [InlineData("""{"read_your_writes": "yes"}""", "read_your_writes")]
    [InlineData("""{"max_lag": "1s"}""", "max_lag")]
    [InlineData("""{"rules": [{"match": "(", "route": "primary"}]}""", "rules[0].match")]
    [InlineData("""{"rules": [{"match": "x", "route": "nowhere"}]}""", "rules[0].route")]
    [InlineData("""{"rules": [{"match": "x", "rout": "primary"}]}""", "rules[0].rout")]
    [InlineData("""{"max_replica_lag": "2s",}""", "body")]
    public async Task PutRouting_BadInput_Is400NamingTheKey_AndNothingChanges(string body, string field)
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        JsonElement problem = await proxy.SendJsonAsync(HttpMethod.Put, "/api/routing", body, 400, Ct);

        JsonElement errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"errors name {string.Join(", ", errors.EnumerateObject().Select(p => p.Name))}, not {field}");
        JsonElement routing = await proxy.GetJsonAsync("/api/routing", Ct);
        Assert.Equal("2s", routing.GetProperty("max_replica_lag").GetString());
        Assert.Equal(0, routing.GetProperty("rules").GetArrayLength());
    }

    [Fact(Timeout = 60_000)]
    public async Task Rules_AddListInsertDelete()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        using (HttpResponseMessage created = await proxy.SendJsonAsync(HttpMethod.Post, "/api/rules", """{"match": "^SELECT a", "route": "primary"}""", Ct))
        {
            JsonElement rule = await AdminInstance.ReadAsync(created, 201, Ct);
            Assert.Equal(0, rule.GetProperty("index").GetInt32());
            Assert.Equal("/api/rules/0", created.Headers.Location?.OriginalString);
        }

        JsonElement second = await proxy.SendJsonAsync(HttpMethod.Post, "/api/rules", """{"digest": "SELECT * FROM t WHERE id = 1", "user": "app", "route": "db3"}""", 201, Ct);
        Assert.Equal(1, second.GetProperty("index").GetInt32());
        JsonElement first = await proxy.SendJsonAsync(HttpMethod.Post, "/api/rules?index=0", """{"match": "^SELECT b", "schema": "app", "route": "replica"}""", 201, Ct);
        Assert.Equal(0, first.GetProperty("index").GetInt32());

        JsonElement list = await proxy.GetJsonAsync("/api/rules", Ct);
        Assert.Equal(["^SELECT b", "^SELECT a", null], list.EnumerateArray().Select(r => r.GetProperty("match").GetString()));
        Assert.Equal([0, 1, 2], list.EnumerateArray().Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal("db3", (await proxy.GetJsonAsync("/api/rules/2", Ct)).GetProperty("route").GetString());
        Assert.Equal(3, (await proxy.GetJsonAsync("/api/routing", Ct)).GetProperty("rules").GetArrayLength());

        using (HttpResponseMessage deleted = await proxy.Http.DeleteAsync("/api/rules/0", Ct))
        {
            await AdminInstance.ReadAsync(deleted, 204, Ct);
        }

        list = await proxy.GetJsonAsync("/api/rules", Ct);
        Assert.Equal(["^SELECT a", null], list.EnumerateArray().Select(r => r.GetProperty("match").GetString()));

        using (HttpResponseMessage missing = await proxy.Http.DeleteAsync("/api/rules/5", Ct))
        {
            await AdminInstance.ReadAsync(missing, 404, Ct);
        }

        using (HttpResponseMessage notIndex = await proxy.Http.DeleteAsync("/api/rules/first", Ct))
        {
            JsonElement problem = await AdminInstance.ReadAsync(notIndex, 400, Ct);
            Assert.True(problem.GetProperty("errors").TryGetProperty("index", out _));
        }

        await proxy.GetJsonAsync("/api/rules/9", Ct, 404);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("/api/rules", """{"match": "("}""", "route")]
    [InlineData("/api/rules", """{"match": "(", "route": "primary"}""", "match")]
    [InlineData("/api/rules", """{"match": "x", "route": "nowhere"}""", "route")]
    [InlineData("/api/rules", """{"route": "primary"}""", "rule")]
    [InlineData("/api/rules", """{"match": "x", "route": "primary", "priority": 1}""", "priority")]
    [InlineData("/api/rules", """{"match": 5, "route": "primary"}""", "match")]
    [InlineData("/api/rules?index=4", """{"match": "x", "route": "primary"}""", "index")]
    [InlineData("/api/rules?index=-1", """{"match": "x", "route": "primary"}""", "index")]
    public async Task AddRule_BadInput_Is400NamingTheField(string path, string body, string field)
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        JsonElement problem = await proxy.SendJsonAsync(HttpMethod.Post, path, body, 400, Ct);

        JsonElement errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"errors name {string.Join(", ", errors.EnumerateObject().Select(p => p.Name))}, not {field}");
        Assert.Equal(0, (await proxy.GetJsonAsync("/api/rules", Ct)).GetArrayLength());
    }

    [Fact(Timeout = 60_000)]
    public async Task Explain_GetAndPost_GiveTargetReasonAndReplicas()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        JsonElement read = await proxy.GetJsonAsync("/api/routing/explain?sql=" + Uri.EscapeDataString("SELECT * FROM t WHERE id = 7"), Ct);
        Assert.Equal("replica", read.GetProperty("target").GetString());
        Assert.Equal("read", read.GetProperty("classification").GetString());
        Assert.False(string.IsNullOrEmpty(read.GetProperty("reason").GetString()));
        Assert.EndsWith("id = ?", read.GetProperty("digest").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(16, read.GetProperty("digest_hash").GetString()!.Length);
        Assert.Equal(["db2", "db3"], read.GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        foreach (JsonElement replica in read.GetProperty("replicas").EnumerateArray())
        {
            Assert.Equal(100, replica.GetProperty("weight").GetInt32());
            Assert.True(replica.TryGetProperty("lag_factor", out _));
            Assert.True(replica.TryGetProperty("lag_ms", out _));
        }

        JsonElement write = await proxy.SendJsonAsync(HttpMethod.Post, "/api/routing/explain", """{"sql": "UPDATE t SET a = 1", "user": "app"}""", 200, Ct);
        Assert.Equal("db1", write.GetProperty("target").GetString());
        Assert.Equal("write", write.GetProperty("classification").GetString());

        JsonElement hinted = await proxy.SendJsonAsync(HttpMethod.Post, "/api/routing/explain", """{"sql": "/* route=db3 */ SELECT 1"}""", 200, Ct);
        Assert.Equal("db3", hinted.GetProperty("target").GetString());
        Assert.NotEqual(JsonValueKind.Null, hinted.GetProperty("hint").ValueKind);

        await proxy.SendJsonAsync(HttpMethod.Post, "/api/rules", """{"match": "explain_probe", "route": "primary"}""", 201, Ct);
        JsonElement ruled = await proxy.GetJsonAsync("/api/routing/explain?sql=" + Uri.EscapeDataString("SELECT 'explain_probe'"), Ct);
        Assert.Equal("db1", ruled.GetProperty("target").GetString());
        Assert.Contains("explain_probe", ruled.GetProperty("rule").GetString(), StringComparison.Ordinal);
        Assert.Contains("rule 0", ruled.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Draining db2 shows in its standing.
        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"state": "draining"}""", 200, Ct);
        JsonElement drained = await proxy.GetJsonAsync("/api/routing/explain?sql=SELECT%201", Ct);
        JsonElement db2 = drained.GetProperty("replicas").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "db2");
        Assert.Equal("draining", db2.GetProperty("state").GetString());
        Assert.Equal(0, db2.GetProperty("share").GetDouble());
    }

    [Fact(Timeout = 60_000)]
    public async Task Explain_NoSql_Is400NamingSql()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        JsonElement get = await proxy.GetJsonAsync("/api/routing/explain", Ct, 400);
        Assert.True(get.GetProperty("errors").TryGetProperty("sql", out _));
        JsonElement post = await proxy.SendJsonAsync(HttpMethod.Post, "/api/routing/explain", """{"user": "app"}""", 400, Ct);
        Assert.True(post.GetProperty("errors").TryGetProperty("sql", out _));
        JsonElement unknown = await proxy.SendJsonAsync(HttpMethod.Post, "/api/routing/explain", """{"sql": "SELECT 1", "query": "x"}""", 400, Ct);
        Assert.True(unknown.GetProperty("errors").TryGetProperty("query", out _));
    }
}
