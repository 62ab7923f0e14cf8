using System.Diagnostics;
using System.Globalization;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Routing;

/// <summary>The topology's server ids, read straight from each server (the local topology uses the port).</summary>
internal sealed record ServerIds(long Primary, long[] Replicas)
{
    public bool IsReplica(long id) => Replicas.Contains(id);

    /// <summary>The backend name the proxy gives a server id: db1 for the primary, db2, db3, ... for the replicas.</summary>
    public string Name(long id) => id == Primary ? "db1" : IsReplica(id) ? $"db{2 + Array.IndexOf(Replicas, id)}" : $"unknown({id})";

    /// <summary>Server id of a backend by its proxy name (db1, db2, ...).</summary>
    public long Of(string name) => name == "db1" ? Primary : Replicas[int.Parse(name.AsSpan(2), CultureInfo.InvariantCulture) - 2];
}

/// <summary>Helpers for the routing tests: where a statement ran, by <c>@@server_id</c>.</summary>
internal static class Servers
{
    /// <summary>Settings for routing sessions: <c>@x</c> is a user variable, not a missing parameter.</summary>
    public const string Extra = "AllowUserVariables=true;";

    private static readonly Lazy<Task<ServerIds>> s_ids = new(LoadAsync);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<ServerIds> IdsAsync() => s_ids.Value;

    /// <summary>A client session on the shared proxy.</summary>
    public static Task<MySqlConnection> OpenAsync(ProxyFixture fixture, string extra = "") =>
        Db.OpenAsync(fixture.ConnectionString(extra: Extra + extra), Ct);

    /// <summary>A client session on a proxy of the test's own.</summary>
    public static Task<MySqlConnection> OpenAsync(ProxyInstance proxy, string extra = "") =>
        Db.OpenAsync(proxy.ConnectionString(extra: Extra + extra), Ct);

    /// <summary>Runs <paramref name="sql"/> and returns the first column of its first row as a server id.</summary>
    public static async Task<long> ServerIdAsync(MySqlConnection connection, string sql = "SELECT @@server_id")
    {
        object? value = await Db.ScalarAsync(connection, sql, Ct);
        return Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    /// <summary>Server id and backend thread id (@@pseudo_thread_id, which the proxy does not rewrite) of the connection a statement ran on.</summary>
    public static async Task<(long Server, long Thread)> WhereAsync(MySqlConnection connection, string sql = "SELECT @@server_id, @@pseudo_thread_id")
    {
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Runs statements (set-up, writes) whose results do not matter.</summary>
    public static async Task ExecAsync(MySqlConnection connection, params string[] statements)
    {
        foreach (string sql in statements)
        {
            await Db.ExecuteAsync(connection, sql, Ct);
        }
    }

    /// <summary>Polls a read until it runs on a replica (the monitor has seen the session's writes applied there).</summary>
    public static async Task<long> WaitForReplicaReadAsync(MySqlConnection connection, ServerIds ids, string sql = "SELECT @@server_id", double seconds = 10)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            long id = await ServerIdAsync(connection, sql);
            if (ids.IsReplica(id))
            {
                return id;
            }

            if (clock.Elapsed.TotalSeconds > seconds)
            {
                throw new Xunit.Sdk.XunitException($"reads still on {ids.Name(id)} after {seconds} s");
            }

            await Task.Delay(50, Ct);
        }
    }

    /// <summary>A table in <c>app</c> created through the proxy (so on the primary); dropped as admin on the primary when disposed.</summary>
    public static async Task<OwnedTable> CreateTableAsync(MySqlConnection connection, string prefix, string columns)
    {
        var table = new OwnedTable(Db.UniqueName(prefix));
        await Db.ExecuteAsync(connection, $"CREATE TABLE app.`{table.Name}` ({columns})", Ct);
        return table;
    }

    private static async Task<ServerIds> LoadAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        long primary = await IdAtAsync(Topology.Primary.Address.ToString(), Topology.Primary.Port, timeout.Token);
        var replicas = new List<long>();
        foreach (var replica in Topology.Replicas)
        {
            replicas.Add(await IdAtAsync(replica.Address.ToString(), replica.Port, timeout.Token));
        }

        Assert.DoesNotContain(primary, replicas);
        Assert.Equal(replicas.Count, replicas.Distinct().Count());
        return new ServerIds(primary, [.. replicas]);
    }

    private static async Task<long> IdAtAsync(string host, int port, CancellationToken ct)
    {
        await using MySqlConnection connection = await Db.OpenAsync($"Server={host};Port={port};User ID=app;Password=app;Database=app;Pooling=false", ct);
        return Convert.ToInt64(await Db.ScalarAsync(connection, "SELECT @@server_id", ct), CultureInfo.InvariantCulture);
    }
}

/// <summary>A table one test owns; dropped on the primary as admin (not with the test's token, so clean-up runs after a cancel).</summary>
internal sealed class OwnedTable(string name) : IAsyncDisposable
{
    public string Name { get; } = name;

    public override string ToString() => $"app.`{Name}`";

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Db.AdminAsync($"DROP TABLE IF EXISTS app.`{Name}`", timeout.Token);
    }
}
