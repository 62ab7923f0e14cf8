using System.Net;
using System.Text.Json;
using MySqlConnector;
using MySqlProxy.Admin.Tests.Infrastructure;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Admin.Tests;

/// <summary>
/// POST and DELETE /api/backends: a replica added at run time gets reads on connections opened before it was
/// added; removing one with a session pinned to it waits and says so, removes it once the session is done, and
/// neither drops a connection; both survive a restart through proxy.runtime.json.
/// </summary>
public sealed class BackendsAddRemoveTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task AddedReplica_GetsReads_ThenRemoval_WaitsForItsPinnedSession()
    {
        ServerIds ids = await Topology.IdsAsync();
        string dir = Directory.CreateTempSubdirectory("mysqlproxy-addremove-").FullName;
        string state = Path.Combine(dir, "proxy.runtime.json");
        var db3 = Topology.Replicas[1];
        try
        {
            await using (AdminInstance proxy = await AdminInstance.StartAsync(o =>
            {
                o.Monitor.Interval = Duration.FromMilliseconds(50);
                o.Backends.Replicas.RemoveAt(1);
            }, runtimeStatePath: state))
            {
                await using MySqlConnection connection = await proxy.OpenAsync(Ct);
                Assert.Equal(ids.Of("db2"), await ReadUntilReplicaAsync(connection, ids));

                JsonElement added = await proxy.SendJsonAsync(HttpMethod.Post, "/api/backends",
                    $$"""{"name": "db3", "host": "{{db3.Address}}", "port": {{db3.Port}}, "weight": 100}""", 201, Ct);
                Assert.Equal("replica", added.GetProperty("role").GetString());

                // db2 drained: the same session's reads move to the new replica.
                await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"state": "draining"}""", 200, Ct);
                await RoutingEffectTests.WaitForReadOnAsync(connection, ids.Of("db3"), ids, forbidden: ids.Of("db2"));

                // Duplicate name or address: 409 naming the field; a bad port: 400 naming it.
                using (HttpResponseMessage dup = await proxy.SendJsonAsync(HttpMethod.Post, "/api/backends",
                    $$"""{"name": "db3", "host": "127.0.0.1", "port": 1}""", Ct))
                {
                    Assert.Equal(HttpStatusCode.Conflict, dup.StatusCode);
                    Assert.Contains("name", await dup.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
                }

                JsonElement badPort = await proxy.SendJsonAsync(HttpMethod.Post, "/api/backends", """{"name": "dbx", "host": "127.0.0.1", "port": 70000}""", 400, Ct);
                Assert.True(badPort.GetProperty("errors").TryGetProperty("port", out _));

                // A read-only transaction runs wholly on db3, the only replica serving: its session is pinned there.
                await using MySqlConnection pinned = await proxy.OpenAsync(Ct);
                await using (var begin = new MySqlCommand("START TRANSACTION READ ONLY", pinned))
                {
                    await begin.ExecuteNonQueryAsync(Ct);
                }

                Assert.Equal(ids.Of("db3"), await AdminInstance.ServerIdAsync(pinned, Ct));
                using (HttpResponseMessage busy = await proxy.Http.DeleteAsync("/api/backends/db3?wait=300ms", Ct))
                {
                    Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
                    string why = await busy.Content.ReadAsStringAsync(Ct);
                    Assert.Contains("still in use", why, StringComparison.Ordinal);
                    Assert.Contains("1 session(s) pinned", why, StringComparison.Ordinal);
                }

                // Draining now: the other session gets nothing new from db3, and its transaction goes on there.
                Assert.Equal(ids.Of("db3"), await AdminInstance.ServerIdAsync(pinned, Ct));
                await using (var commit = new MySqlCommand("COMMIT", pinned))
                {
                    await commit.ExecuteNonQueryAsync(Ct);
                }

                JsonElement removed = await proxy.SendJsonAsync(HttpMethod.Delete, "/api/backends/db3?wait=10s", string.Empty, 200, Ct);
                Assert.True(removed.GetProperty("removed").GetBoolean());
                using (HttpResponseMessage gone = await proxy.Http.GetAsync("/api/backends/db3", Ct))
                {
                    Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
                }

                // Both sessions carry on: db2 online again serves them.
                await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"state": "online"}""", 200, Ct);
                await RoutingEffectTests.WaitForReadOnAsync(connection, ids.Of("db2"), ids, forbidden: ids.Of("db3"));
                await RoutingEffectTests.WaitForReadOnAsync(pinned, ids.Of("db2"), ids, forbidden: ids.Of("db3"));

                JsonElement primary = await proxy.SendJsonAsync(HttpMethod.Delete, "/api/backends/db1", string.Empty, 400, Ct);
                Assert.Contains("primary", primary.GetProperty("detail").GetString(), StringComparison.Ordinal);

                // Added again, to be found after the restart.
                await proxy.SendJsonAsync(HttpMethod.Post, "/api/backends",
                    $$"""{"name": "db3", "host": "{{db3.Address}}", "port": {{db3.Port}}, "weight": 7}""", 201, Ct);
            }

            await using (AdminInstance restarted = await AdminInstance.StartAsync(o => o.Backends.Replicas.RemoveAt(1), runtimeStatePath: state))
            {
                JsonElement db3View = JsonDocument.Parse(await restarted.Http.GetStringAsync("/api/backends/db3", Ct)).RootElement;
                Assert.Equal(7, db3View.GetProperty("weight").GetInt32());
                JsonElement removed = await restarted.SendJsonAsync(HttpMethod.Delete, "/api/backends/db2?wait=5s", string.Empty, 200, Ct);
                Assert.True(removed.GetProperty("removed").GetBoolean());
            }

            // db2 (from the configuration) stays removed after another restart.
            await using (AdminInstance again = await AdminInstance.StartAsync(o => o.Backends.Replicas.RemoveAt(1), runtimeStatePath: state))
            {
                using HttpResponseMessage db2 = await again.Http.GetAsync("/api/backends/db2", Ct);
                Assert.Equal(HttpStatusCode.NotFound, db2.StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await again.Http.GetAsync("/api/backends/db3", Ct)).StatusCode);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<long> ReadUntilReplicaAsync(MySqlConnection connection, ServerIds ids)
    {
        for (int i = 0; i < 200; i++)
        {
            long id = await AdminInstance.ServerIdAsync(connection, Ct);
            if (id != ids.Of("db1"))
            {
                return id;
            }

            await Task.Delay(100, Ct);
        }

        throw new InvalidOperationException("no read reached a replica");
    }
}
