using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Pipelines.Sockets.Unofficial;

namespace MySqlProxy.Core.Backends;

/// <summary>
/// Socket and pipe settings shared by client and backend connections. Continuations run inline on the
/// socket's I/O thread (no thread-pool hop per packet, see shared/research/relay-cost.md), reads wait with
/// zero-length receives so idle connections hold no buffer, and Nagle is off.
/// </summary>
internal static class Transport
{
    /// <summary>Most bytes a pipe buffers before the writer waits; also bounds what the proxy looks at in one piece.</summary>
    public const int PauseWriterThreshold = 1 << 20;

    private const SocketConnectionOptions ConnectionOptions =
        SocketConnectionOptions.InlineReads | SocketConnectionOptions.InlineWrites |
        SocketConnectionOptions.InlineConnect | SocketConnectionOptions.ZeroLengthReads;

    private static readonly PipeOptions s_pipeOptions = new(
        pool: null,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: PauseWriterThreshold,
        resumeWriterThreshold: PauseWriterThreshold / 2,
        // Large responses stream through many segments; 64 KiB ones keep the shared pool from dropping and
        // reallocating them (measured: a 17 MiB row went from ~1 MB to ~5 KB allocated per round trip).
        // Idle connections hold none: reads wait with zero-length receives.
        minimumSegmentSize: 64 * 1024,
        useSynchronizationContext: false);

    /// <summary>Wraps an accepted or connected socket in a duplex pipe.</summary>
    public static SocketConnection Wrap(Socket socket, string name)
    {
        socket.NoDelay = true;
        return SocketConnection.Create(socket, s_pipeOptions, s_pipeOptions, ConnectionOptions, name);
    }

    /// <summary>Opens a TCP connection, giving up after <paramref name="timeout"/>.</summary>
    public static async ValueTask<SocketConnection> ConnectAsync(EndPoint endpoint, TimeSpan timeout, string name, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily == AddressFamily.Unspecified ? AddressFamily.InterNetwork : endpoint.AddressFamily,
            SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(endpoint, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no answer within {timeout.TotalMilliseconds:0} ms");
            }

            return Wrap(socket, name);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
