using MySqlConnector;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Admin.Tests.Infrastructure;

namespace MySqlProxy.Admin.Tests;

/// <summary>
/// Changes made over HTTP, seen by a real client through <c>@@server_id</c> on one connection it keeps open the
/// whole time: a drained replica gets no more reads, a weight of 0 moves them all to the other replica, a rule
/// added over HTTP reroutes a statement; and each undoes as it came.
/// </summary>
public sealed class RoutingEffectTests
{
    private const int Reads = 40;

    /// <summary>
    /// A session that keeps reading stays on the replica it read from until the monitor has checked that replica
    /// again (monotonic reads); a short monitor interval keeps that window short, and the loops below pause longer
    /// than it between reads when they wait for the balancer to pick another replica.
    /// </summary>
    private static readonly TimeSpan s_monitorInterval = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan s_pause = s_monitorInterval * 4;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task DrainReplica_OverHttp_StopsReadsToItWithoutReconnecting()
    {
        ServerIds ids = await Topology.IdsAsync();
        await using AdminInstance proxy = await StartAsync();
        await using MySqlConnection connection = await proxy.OpenAsync(Ct);
        await WaitForReadOnAsync(connection, ids.Of("db2"), ids);

        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"state": "draining"}""", 200, Ct);

        await WaitForReadOnAsync(connection, ids.Of("db3"), ids, forbidden: ids.Of("db2"));
        await AssertReadsNeverOnAsync(connection, ids, "db2", "db3");

        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"state": "online"}""", 200, Ct);
        await WaitForReadOnAsync(connection, ids.Of("db2"), ids);
    }

    [Fact(Timeout = 120_000)]
    public async Task ReadsOnPrimaryNever_IsHonoured_WhenTheReplicaJustReadFromIsDrained()
    {
        ServerIds ids = await Topology.IdsAsync();
        await using AdminInstance proxy = await AdminInstance.StartAsync(o =>
        {
            o.Monitor.Interval = new Duration(s_monitorInterval);
            o.Routing.ReadsOnPrimary = ReadsOnPrimary.Never;
            o.Routing.MaxReplicaLag = Duration.FromSeconds(30); // a busy machine's replica lag must not make db3 ineligible
            o.Routing.HardReplicaLag = Duration.FromSeconds(60);
        });
        await using MySqlConnection connection = await proxy.OpenAsync(Ct);
        for (int round = 0; round < 5; round++)
        {
            await WaitForReadOnAsync(connection, ids.Of("db2"), ids);

            // Right after a read there (monotonic reads would keep the session on db2, or else the primary):
            // db2 stops serving, and the next read must go to db3, never to the primary.
            await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"state": "draining"}""", 200, Ct);
            long id = await AdminInstance.ServerIdAsync(connection, Ct);
            Assert.True(id == ids.Of("db3"), $"round {round}: the read ran on {ids.NameOf(id)}; reads_on_primary is never and db2 is draining");
            await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"state": "online"}""", 200, Ct);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task WeightZero_OverHttp_MovesTheReadsToTheOtherReplica()
    {
        ServerIds ids = await Topology.IdsAsync();
        await using AdminInstance proxy = await StartAsync();
        await using MySqlConnection connection = await proxy.OpenAsync(Ct);
        await WaitForReadOnAsync(connection, ids.Of("db2"), ids);

        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"weight": 0}""", 200, Ct);

        await WaitForReadOnAsync(connection, ids.Of("db3"), ids, forbidden: ids.Of("db2"));
        await AssertReadsNeverOnAsync(connection, ids, "db2", "db3");

        // Weight back, and db3 at 0: the split moves the other way, still on the same connection.
        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"weight": 100}""", 200, Ct);
        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db3", """{"weight": 0}""", 200, Ct);
        await WaitForReadOnAsync(connection, ids.Of("db2"), ids, forbidden: ids.Of("db3"));
        await AssertReadsNeverOnAsync(connection, ids, "db3", "db2");

        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db3", """{"weight": 100}""", 200, Ct);
        await WaitForReadOnAsync(connection, ids.Of("db3"), ids);
    }

    [Fact(Timeout = 120_000)]
    public async Task RuleAddedOverHttp_ReroutesTheStatement_DeletedRuleRoutesItBack()
    {
        const string Probe = "SELECT @@server_id, 'probe_rule'";
        ServerIds ids = await Topology.IdsAsync();
        await using AdminInstance proxy = await StartAsync();
        await using MySqlConnection connection = await proxy.OpenAsync(Ct);

        await WaitForReplicaReadAsync(connection, ids, Probe);

        await proxy.SendJsonAsync(HttpMethod.Post, "/api/rules", """{"match": "probe_rule", "route": "primary"}""", 201, Ct);

        for (int i = 0; i < 10; i++)
        {
            long id = await AdminInstance.ServerIdAsync(connection, Ct, Probe);
            Assert.True(id == ids.Of("db1"), $"with the rule the probe ran on {ids.NameOf(id)}");
        }

        // Other reads are not touched by the rule.
        await WaitForReplicaReadAsync(connection, ids, "SELECT @@server_id");

        using (HttpResponseMessage deleted = await proxy.Http.DeleteAsync("/api/rules/0", Ct))
        {
            await AdminInstance.ReadAsync(deleted, 204, Ct);
        }

        await WaitForReplicaReadAsync(connection, ids, Probe);
    }

    [Fact(Timeout = 120_000)]
    public async Task ReadsOnPrimaryNever_WithBothReplicasOffline_ReadsFailWithTheProxysError()
    {
        await using AdminInstance proxy = await StartAsync();
        await using MySqlConnection connection = await proxy.OpenAsync(Ct);
        await AdminInstance.ServerIdAsync(connection, Ct);

        await proxy.SendJsonAsync(HttpMethod.Put, "/api/routing", """{"reads_on_primary": "never"}""", 200, Ct);
        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"state": "offline"}""", 200, Ct);
        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db3", """{"state": "offline"}""", 200, Ct);
        await Task.Delay(s_pause, Ct);

        var error = await Assert.ThrowsAsync<MySqlException>(() => AdminInstance.ServerIdAsync(connection, Ct));
        Assert.Equal(9002, error.Number);

        await proxy.SendJsonAsync(HttpMethod.Put, "/api/routing", """{"reads_on_primary": "fallback"}""", 200, Ct);
        ServerIds ids = await Topology.IdsAsync();
        Assert.Equal(ids.Of("db1"), await AdminInstance.ServerIdAsync(connection, Ct));
    }

    internal static Task<AdminInstance> StartAsync() =>
        AdminInstance.StartAsync(o => o.Monitor.Interval = new Duration(s_monitorInterval));

    /// <summary>
    /// Reads that follow: none on <paramref name="never"/>. Each runs on <paramref name="expected"/>, or on the
    /// primary while <paramref name="expected"/> is not eligible (another test assembly, run in parallel, may hold
    /// the topology's last replica back; monotonic reads never go back in time); most run on <paramref name="expected"/>.
    /// </summary>
    private static async Task AssertReadsNeverOnAsync(MySqlConnection connection, ServerIds ids, string never, string expected)
    {
        int onExpected = 0;
        for (int i = 0; i < Reads; i++)
        {
            long id = await AdminInstance.ServerIdAsync(connection, Ct);
            Assert.True(id == ids.Of(expected) || id == ids.Of("db1"), $"read {i} ran on {ids.NameOf(id)}; {never} should get no reads now");
            onExpected += id == ids.Of(expected) ? 1 : 0;
        }

        Assert.True(onExpected > 0, $"no read of {Reads} ran on {expected}");
    }

    /// <summary>Reads until one runs on a replica (monotonic reads may keep a session on the primary for a moment).</summary>
    private static async Task WaitForReplicaReadAsync(MySqlConnection connection, ServerIds ids, string sql)
    {
        for (int i = 0; i < 200; i++)
        {
            long id = await AdminInstance.ServerIdAsync(connection, Ct, sql);
            if (id != ids.Of("db1"))
            {
                return;
            }

            await Task.Delay(s_pause, Ct);
        }

        Assert.Fail($"{sql} never ran on a replica");
    }

    /// <summary>
    /// Reads until one runs on <paramref name="serverId"/>, pausing between reads so that the session is free to
    /// move (the weighted choice is random; monotonic reads may keep a session on its replica, or on the primary,
    /// until the monitor has seen a replica catch up with what it read), failing if one runs on <paramref name="forbidden"/>.
    /// </summary>
    internal static async Task WaitForReadOnAsync(MySqlConnection connection, long serverId, ServerIds ids, long? forbidden = null)
    {
        var seen = new List<string>();
        for (int i = 0; i < 200; i++)
        {
            long id = await AdminInstance.ServerIdAsync(connection, Ct);
            Assert.True(id != forbidden, $"read {i} ran on {ids.NameOf(id)}, which should get no reads now");
            if (id == serverId)
            {
                return;
            }

            seen.Add(ids.NameOf(id));
            await Task.Delay(s_pause, Ct);
        }

        Assert.Fail($"no read reached {ids.NameOf(serverId)}; reads ran on {string.Join(",", seen.Distinct())}");
    }
}
