using System.Text.Json;
using MySqlProxy.Admin.Tests.Infrastructure;

namespace MySqlProxy.Admin.Tests;

/// <summary>Changes made over HTTP are written to proxy.runtime.json and put back over the configuration at the next start.</summary>
public sealed class PersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mysqlproxy-admin-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string StatePath => Path.Combine(_directory, AdminServerOptions.RuntimeStateFileName);

    [Fact(Timeout = 120_000)]
    public async Task Changes_SurviveARestart_AndGetShowsThem()
    {
        await using (AdminInstance first = await AdminInstance.StartAsync(runtimeStatePath: StatePath))
        {
            Assert.False(File.Exists(StatePath));
            await first.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"weight": 7, "state": "draining", "max_lag": "300ms"}""", 200, Ct);
            await first.SendJsonAsync(HttpMethod.Put, "/api/routing", """{"max_replica_lag": "3s", "reads_on_primary": "always"}""", 200, Ct);
            await first.SendJsonAsync(HttpMethod.Post, "/api/rules", """{"match": "persisted_rule", "route": "primary"}""", 201, Ct);

            using JsonDocument file = JsonDocument.Parse(await File.ReadAllTextAsync(StatePath, Ct));
            Assert.Equal(7, file.RootElement.GetProperty("backends").GetProperty("db2").GetProperty("weight").GetInt32());
            Assert.False(file.RootElement.GetProperty("backends").TryGetProperty("db3", out _));
            Assert.Equal("3s", file.RootElement.GetProperty("routing").GetProperty("max_replica_lag").GetString());
            Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
        }

        await using AdminInstance second = await AdminInstance.StartAsync(runtimeStatePath: StatePath);
        JsonElement db2 = await second.GetJsonAsync("/api/backends/db2", Ct);
        Assert.Equal(7, db2.GetProperty("weight").GetInt32());
        Assert.Equal("draining", db2.GetProperty("state").GetString());
        Assert.Equal("300ms", db2.GetProperty("max_lag").GetString());
        JsonElement db3 = await second.GetJsonAsync("/api/backends/db3", Ct);
        Assert.Equal(100, db3.GetProperty("weight").GetInt32());

        JsonElement routing = await second.GetJsonAsync("/api/routing", Ct);
        Assert.Equal("3s", routing.GetProperty("max_replica_lag").GetString());
        Assert.Equal("always", routing.GetProperty("reads_on_primary").GetString());
        Assert.Equal("persisted_rule", routing.GetProperty("rules")[0].GetProperty("match").GetString());

        // Undoing is a change too: deleting the rule persists an empty list.
        using (HttpResponseMessage deleted = await second.Http.DeleteAsync("/api/rules/0", Ct))
        {
            await AdminInstance.ReadAsync(deleted, 204, Ct);
        }

        using JsonDocument after = JsonDocument.Parse(await File.ReadAllTextAsync(StatePath, Ct));
        Assert.Equal(0, after.RootElement.GetProperty("routing").GetProperty("rules").GetArrayLength());
    }

    [Fact(Timeout = 60_000)]
    public async Task UnreadableFile_IsKeptAside_AndTheProxyStartsFromTheConfiguration()
    {
        await File.WriteAllTextAsync(StatePath, """{"version": 1, "backends": {"db2": {"weight": 7""", Ct);

        await using AdminInstance proxy = await AdminInstance.StartAsync(runtimeStatePath: StatePath);

        Assert.Equal(100, (await proxy.GetJsonAsync("/api/backends/db2", Ct)).GetProperty("weight").GetInt32());
        Assert.False(File.Exists(StatePath));
        Assert.True(File.Exists(StatePath + ".unreadable"));
    }

    [Fact(Timeout = 60_000)]
    public async Task FileWithUnknownBackendAndBadRouting_AppliesWhatItCan()
    {
        await File.WriteAllTextAsync(StatePath, """
            {
              "version": 1,
              "backends": {
                "db9": { "weight": 1, "state": "offline", "max_lag": null },
                "db3": { "weight": 55, "state": "online", "max_lag": null }
              },
              "routing": { "max_replica_lag": "1s", "lag_floor": "5s" }
            }
            """, Ct);

        await using AdminInstance proxy = await AdminInstance.StartAsync(runtimeStatePath: StatePath);

        Assert.Equal(55, (await proxy.GetJsonAsync("/api/backends/db3", Ct)).GetProperty("weight").GetInt32());
        Assert.Equal("2s", (await proxy.GetJsonAsync("/api/routing", Ct)).GetProperty("max_replica_lag").GetString());
        await proxy.GetJsonAsync("/api/backends/db9", Ct, 404);
    }

    [Fact(Timeout = 60_000)]
    public async Task RoutingReloadedFromTheConfiguration_DropsTheSavedRouting()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync(runtimeStatePath: StatePath);
        await proxy.SendJsonAsync(HttpMethod.Put, "/api/routing", """{"max_replica_lag": "3s"}""", 200, Ct);
        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"weight": 9}""", 200, Ct);

        await proxy.Admin.ConfigurationRoutingReloadedAsync();

        using JsonDocument file = JsonDocument.Parse(await File.ReadAllTextAsync(StatePath, Ct));
        Assert.Equal(JsonValueKind.Null, file.RootElement.GetProperty("routing").ValueKind);
        Assert.Equal(9, file.RootElement.GetProperty("backends").GetProperty("db2").GetProperty("weight").GetInt32());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
