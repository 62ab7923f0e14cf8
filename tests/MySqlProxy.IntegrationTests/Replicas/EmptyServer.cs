using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.IntegrationTests.Lag;

namespace MySqlProxy.IntegrationTests.Replicas;

/// <summary>
/// A fourth, empty server from <c>topology.sh add-empty</c> on the first free port from the primary's port + 4 (13310
/// for the default topology: BackendDeathTests, which may run at the same time, takes 13309), removed again
/// (<c>remove-empty</c>) when disposed.
/// </summary>
internal sealed class EmptyServer : IAsyncDisposable
{
    private EmptyServer(int port) => EndPoint = new IPEndPoint(IPAddress.Loopback, port);

    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    public string Directory => Path.Combine(Replication.TopologyDirectory, Port.ToString(CultureInfo.InvariantCulture));

    public static async Task<EmptyServer> StartAsync(CancellationToken ct)
    {
        for (int port = Topology.Primary.Port + 4; port < Topology.Primary.Port + 20; port++)
        {
            if (Topology.Replicas.Any(r => r.Port == port))
            {
                continue;
            }

            // A running server may be another test's (or another topology's): never taken over.
            if (await InUseAsync(port))
            {
                continue;
            }

            // A stopped leftover of an earlier run is removed first: the server must start empty.
            await Replication.TopologyScriptAsync(["remove-empty", port.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(60), ct);
            await Replication.TopologyScriptAsync(["add-empty", port.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(120), ct);
            return new EmptyServer(port);
        }

        throw new InvalidOperationException($"no free port for an extra server from {Topology.Primary.Port + 4}");
    }

    /// <summary>A loopback port nothing listens on.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Replication.TopologyScriptAsync(["remove-empty", Port.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(60), cleanup.Token);
    }

    private static async Task<bool> InUseAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
