using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MySqlConnector;

namespace MySqlProxy.Admin.Tests.Infrastructure;

/// <summary>Where the local topology (deploy/local/topology.sh) is: MYSQLPROXY_TEST_PRIMARY / _REPLICAS, else its default ports.</summary>
public static class Topology
{
    private static readonly Lazy<Task<ServerIds>> s_ids = new(LoadIdsAsync);

    public static IPEndPoint Primary { get; } = IPEndPoint.Parse(Environment.GetEnvironmentVariable("MYSQLPROXY_TEST_PRIMARY") ?? "127.0.0.1:13306");

    public static IReadOnlyList<IPEndPoint> Replicas { get; } =
        [.. (Environment.GetEnvironmentVariable("MYSQLPROXY_TEST_REPLICAS") ?? "127.0.0.1:13307,127.0.0.1:13308")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(IPEndPoint.Parse)];

    /// <summary>Each server's @@server_id, read straight from it: db1 the primary, db2, db3, ... the replicas.</summary>
    public static Task<ServerIds> IdsAsync() => s_ids.Value;

    /// <summary>Fails (never skips) when the topology is not up: under CI a missing server fails the run.</summary>
    public static async Task EnsureUpAsync()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(Primary).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                $"The MariaDB primary is not reachable at {Primary} ({ex.Message}). Start the topology with deploy/local/topology.sh up, or run deploy/local/test.sh.", ex);
        }
    }

    private static async Task<ServerIds> LoadIdsAsync()
    {
        await EnsureUpAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ids = new Dictionary<string, long>(StringComparer.Ordinal) { ["db1"] = await IdAtAsync(Primary, timeout.Token) };
        for (int i = 0; i < Replicas.Count; i++)
        {
            ids[$"db{i + 2}"] = await IdAtAsync(Replicas[i], timeout.Token);
        }

        return new ServerIds(ids);
    }

    private static async Task<long> IdAtAsync(IPEndPoint server, CancellationToken ct)
    {
        await using var connection = new MySqlConnection($"Server={server.Address};Port={server.Port};User ID=app;Password=app;Database=app;Pooling=false");
        await connection.OpenAsync(ct);
        await using var command = new MySqlCommand("SELECT @@server_id", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}

/// <summary>Server ids by backend name.</summary>
public sealed class ServerIds(IReadOnlyDictionary<string, long> ids)
{
    public long Of(string backend) => ids[backend];

    public string NameOf(long id) => ids.FirstOrDefault(p => p.Value == id).Key ?? $"unknown({id})";
}
