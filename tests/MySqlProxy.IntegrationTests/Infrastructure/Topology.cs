using System.Net;
using System.Net.Sockets;

namespace MySqlProxy.IntegrationTests.Infrastructure;

/// <summary>Where the local topology (deploy/local/topology.sh) is: MYSQLPROXY_TEST_PRIMARY / _REPLICAS, else its default ports.</summary>
public static class Topology
{
    public static IPEndPoint Primary { get; } = IPEndPoint.Parse(Environment.GetEnvironmentVariable("MYSQLPROXY_TEST_PRIMARY") ?? "127.0.0.1:13306");

    public static IReadOnlyList<IPEndPoint> Replicas { get; } =
        [.. (Environment.GetEnvironmentVariable("MYSQLPROXY_TEST_REPLICAS") ?? "127.0.0.1:13307,127.0.0.1:13308")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(IPEndPoint.Parse)];

    /// <summary>Connection string straight to the primary, for comparing with the proxy.</summary>
    public static string Direct(string user = "app", string password = "app", string database = "app", string extra = "") =>
        $"Server={Primary.Address};Port={Primary.Port};User ID={user};Password={password};Database={database};Pooling=false;{extra}";

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
}
