using System.Net;
using System.Text;
using System.Text.Json;
using MySqlProxy.Admin.Tests.Infrastructure;

namespace MySqlProxy.Admin.Tests;

/// <summary>GET and PATCH /api/backends: the fields of the contract, validation naming the field, 404 for an unknown name.</summary>
public sealed class BackendsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task List_ShowsEveryBackendWithTheContractFields()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        JsonElement list = await proxy.GetJsonAsync("/api/backends", Ct);

        Assert.Equal(["db1", "db2", "db3"], list.EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        Assert.Equal(["primary", "replica", "replica"], list.EnumerateArray().Select(b => b.GetProperty("role").GetString()));
        foreach (JsonElement backend in list.EnumerateArray())
        {
            foreach (string field in new[]
            {
                "name", "role", "host", "port", "state", "up", "replicating", "lag_ms", "smoothed_lag_ms", "weight", "effective_weight",
                "max_lag", "connections_open", "connections_in_use", "statements", "errors", "qps", "gtid_position",
            })
            {
                Assert.True(backend.TryGetProperty(field, out _), $"{backend.GetProperty("name")} has no {field}");
            }

            Assert.Equal("online", backend.GetProperty("state").GetString());
            Assert.True(backend.GetProperty("up").GetBoolean());
        }

        JsonElement db2 = await proxy.GetJsonAsync("/api/backends/db2", Ct);
        Assert.Equal(100, db2.GetProperty("weight").GetInt32());
        Assert.Equal(JsonValueKind.Null, db2.GetProperty("max_lag").ValueKind);
    }

    [Fact(Timeout = 60_000)]
    public async Task UnknownBackend_GetAndPatch_Are404Problems()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        JsonElement get = await proxy.GetJsonAsync("/api/backends/nope", Ct, 404);
        Assert.Contains("nope", get.GetProperty("detail").GetString(), StringComparison.Ordinal);
        JsonElement patch = await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/nope", """{"weight": 5}""", 404, Ct);
        Assert.Equal(404, patch.GetProperty("status").GetInt32());
    }

    [Theory(Timeout = 60_000)]
    [InlineData("""{"weight": 5000}""", "weight")]
    [InlineData("""{"weight": -1}""", "weight")]
    [InlineData("""{"weight": 1.5}""", "weight")]
    [InlineData("""{"weight": "ten"}""", "weight")]
    [InlineData("""{"state": "bogus"}""", "state")]
    [InlineData("""{"state": 1}""", "state")]
    [InlineData("""{"max_lag": "soon"}""", "max_lag")]
    [InlineData("""{"max_lag": "0s"}""", "max_lag")]
    [InlineData("""{"wieght": 5}""", "wieght")]
    [InlineData("""{"weight": 5, "extra": {"a": 1}}""", "extra")]
    [InlineData("""{"weight": 5""", "weight")]
    [InlineData("""{"weight" 5}""", "body")]
    [InlineData("not json", "body")]
    [InlineData("", "body")]
    [InlineData("null", "body")]
    [InlineData("[1]", "body")]
    public async Task Patch_BadInput_Is400NamingTheField(string body, string field)
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        using HttpResponseMessage response = await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", body, Ct);

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await AdminInstance.ReadAsync(response, 400, Ct);
        JsonElement errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"errors name {string.Join(", ", errors.EnumerateObject().Select(p => p.Name))}, not {field}");
        Assert.Contains(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Nothing changed.
        JsonElement db2 = await proxy.GetJsonAsync("/api/backends/db2", Ct);
        Assert.Equal(100, db2.GetProperty("weight").GetInt32());
        Assert.Equal("online", db2.GetProperty("state").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task Patch_NotJsonContentType_Is415Problem()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        using HttpResponseMessage response = await proxy.Http.PatchAsync(
            "/api/backends/db2", new StringContent("""{"weight": 5}""", Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);

        JsonElement problem = await AdminInstance.ReadAsync(response, 415, Ct);
        Assert.Contains("Content-Type: application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Patch_GoodValues_ChangeTheBackendAndGetShowsThem()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        JsonElement changed = await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"weight": 40, "state": "draining", "max_lag": "250ms"}""", 200, Ct);
        Assert.Equal(40, changed.GetProperty("weight").GetInt32());
        Assert.Equal("draining", changed.GetProperty("state").GetString());
        Assert.Equal("250ms", changed.GetProperty("max_lag").GetString());
        Assert.Equal(0, changed.GetProperty("effective_weight").GetDouble());

        // A field left out stays; names are case-insensitive; max_lag null goes back to routing.max_replica_lag.
        JsonElement partly = await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/DB2", """{"state": "online", "max_lag": null}""", 200, Ct);
        Assert.Equal(40, partly.GetProperty("weight").GetInt32());
        Assert.Equal("online", partly.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, partly.GetProperty("max_lag").ValueKind);

        JsonElement again = await proxy.GetJsonAsync("/api/backends/db2", Ct);
        Assert.Equal(40, again.GetProperty("weight").GetInt32());
        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"weight": 100}""", 200, Ct);
    }

    [Fact(Timeout = 60_000)]
    public async Task AddBackend_BadBodies_Are400NamingTheField_AndChangeNothing()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        JsonElement missing = await proxy.SendJsonAsync(HttpMethod.Post, "/api/backends", """{"host": "127.0.0.1"}""", 400, Ct);
        Assert.True(missing.GetProperty("errors").TryGetProperty("name", out _));
        Assert.True(missing.GetProperty("errors").TryGetProperty("port", out _));

        JsonElement unknown = await proxy.SendJsonAsync(HttpMethod.Post, "/api/backends", """{"name": "db4", "host": "127.0.0.1", "port": 13309, "colour": "red"}""", 400, Ct);
        Assert.True(unknown.GetProperty("errors").TryGetProperty("colour", out _));

        JsonElement weight = await proxy.SendJsonAsync(HttpMethod.Post, "/api/backends", """{"name": "db4", "host": "127.0.0.1", "port": 13309, "weight": 5000}""", 400, Ct);
        Assert.True(weight.GetProperty("errors").TryGetProperty("weight", out _));

        JsonElement wait = await proxy.SendJsonAsync(HttpMethod.Delete, "/api/backends/db3?wait=forever", string.Empty, 400, Ct);
        Assert.True(wait.GetProperty("errors").TryGetProperty("wait", out _));
        using HttpResponseMessage unknownBackend = await proxy.Http.DeleteAsync("/api/backends/nope", Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknownBackend.StatusCode);

        Assert.Equal(3, (await proxy.GetJsonAsync("/api/backends", Ct)).GetArrayLength());
    }

    [Fact(Timeout = 60_000)]
    public async Task Qps_UnderLoad_IsMoreThanZeroOnTheBackendThatServes()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();
        await using var connection = await proxy.OpenAsync(Ct);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        double qps = 0;
        while (qps == 0 && DateTime.UtcNow < deadline)
        {
            for (int i = 0; i < 20; i++)
            {
                await AdminInstance.ServerIdAsync(connection, Ct, "SELECT @@server_id /* route=primary */");
            }

            JsonElement db1 = await proxy.GetJsonAsync("/api/backends/db1", Ct);
            qps = db1.GetProperty("qps").GetDouble();
            Assert.True(db1.GetProperty("statements").GetInt64() > 0);
        }

        Assert.True(qps > 0, "qps stayed 0 under load");
    }

    [Fact(Timeout = 60_000)]
    public async Task PinnedSessions_OpenTransaction_CountsUnderTransaction()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();
        await using var connection = await proxy.OpenAsync(Ct);
        await using (var begin = new MySqlConnector.MySqlCommand("BEGIN", connection))
        {
            await begin.ExecuteNonQueryAsync(Ct);
        }

        await AdminInstance.ServerIdAsync(connection, Ct);

        JsonElement pinned = await proxy.GetJsonAsync("/api/sessions/pinned", Ct);
        Assert.True(pinned.GetProperty("sessions").GetInt32() >= 1);
        Assert.True(pinned.GetProperty("pinned").GetProperty("transaction").GetInt32() >= 1);

        await using (var rollback = new MySqlConnector.MySqlCommand("ROLLBACK", connection))
        {
            await rollback.ExecuteNonQueryAsync(Ct);
        }

        JsonElement after = await proxy.GetJsonAsync("/api/sessions/pinned", Ct);
        Assert.False(after.GetProperty("pinned").TryGetProperty("transaction", out _));
    }

    [Fact(Timeout = 60_000)]
    public async Task UnknownPath_Is404Problem_WrongMethod_Is405()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        using HttpResponseMessage missing = await proxy.Http.GetAsync("/api/nothing", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        using HttpResponseMessage wrong = await proxy.Http.PutAsync("/api/backends", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrong.StatusCode);
    }
}
