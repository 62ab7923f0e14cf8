using System.IO.Pipelines;
using System.Net;
using Microsoft.Extensions.Logging;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Diagnostics;
using MySqlProxy.Protocol;
using Pipelines.Sockets.Unofficial;

namespace MySqlProxy.Core.Sessions;

/// <summary>The life of a client session.</summary>
internal enum SessionState
{
    /// <summary>Greeting sent; waiting for the client to log in.</summary>
    Handshake,

    /// <summary>Logged in; waiting for the next command.</summary>
    Idle,

    /// <summary>A command is with a backend and its response is being relayed.</summary>
    Busy,

    /// <summary>Ending: no more commands are read.</summary>
    Closed,
}

/// <summary>
/// One client connection: the server side of the handshake, then a loop that forwards each command to a
/// backend connection borrowed from a pool and streams its response back packet by packet. Between
/// statements the session holds no backend connection unless state that cannot move pins it there.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "RunAsync owns the session's lifetime and disposes everything in its finally block.")]
internal sealed partial class ClientSession
{
    private readonly ProxyContext _context;
    private readonly SocketConnection _client;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();
    private SessionState _state = SessionState.Handshake;
    private BackendConnection? _backend;
    private volatile bool _stopRequested;
    private volatile bool _killed;
    private volatile bool _killExpected;

    public ClientSession(ProxyContext context, SocketConnection client, uint id)
    {
        _context = context;
        _client = client;
        _logger = context.Logger;
        Id = id;
        RemoteEndPoint = client.Socket.RemoteEndPoint;
        RemoteHost = RemoteEndPoint is IPEndPoint ip ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString() : "localhost";
    }

    /// <summary>The connection id the client was given (the proxy's, not any backend's).</summary>
    public uint Id { get; }

    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The client's address as servers print it in messages ('user'@'host').</summary>
    public string RemoteHost { get; }

    /// <summary>The logged-in user; empty until authenticated.</summary>
    public string User { get; private set; } = string.Empty;

    public SessionState State => _state;

    /// <summary>The backend connection the session holds now (running a statement, or pinned), if any.</summary>
    public BackendConnection? Backend => _backend;

    /// <summary>Why the session keeps its backend connection between statements.</summary>
    public PinCauses Pins => _pins;

    private PipeReader ClientInput => _client.Input;

    private PipeWriter ClientOutput => _client.Output;

    /// <summary>Runs the session to its end; never throws.</summary>
    public async Task RunAsync()
    {
        Log.ClientConnected(_logger, Id, RemoteEndPoint);
        try
        {
            if (await HandshakeAsync().ConfigureAwait(false))
            {
                await CommandLoopAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
            // The client or the proxy ended the connection: expected, not an error.
        }
        catch (PacketFormatException ex)
        {
            Log.ClientProtocolError(_logger, Id, ex.Message);
        }
        catch (Exception ex)
        {
            Log.ClientSessionFailed(_logger, Id, ex);
        }
        finally
        {
            _state = SessionState.Closed;
            await CloseAsync().ConfigureAwait(false);
            Log.ClientClosed(_logger, Id);
        }
    }

    /// <summary>Asks the session to end after its current statement (graceful shutdown).</summary>
    public void RequestStop()
    {
        _stopRequested = true;
        if (_state != SessionState.Busy)
        {
            ClientInput.CancelPendingRead();
        }
    }

    /// <summary>Ends the session now, statement or not (shutdown timeout passed).</summary>
    public void Abort()
    {
        _stopRequested = true;
        _abort.Cancel();
        _backend?.Abort();
        _client.Dispose();
    }

    /// <summary>KILL CONNECTION from another session: end after the current statement, which the backend kill interrupts.</summary>
    public void MarkKilled()
    {
        _killed = true;
        RequestStop();
    }

    /// <summary>
    /// Set while another session's KILL CONNECTION for this one is on its way to the backend, so that the
    /// backend connection closing under a running statement counts as that kill, not as a lost backend.
    /// </summary>
    public void ExpectKill(bool expected) => _killExpected = expected;

    private void Transition(SessionState from, SessionState to)
    {
        if (_state != from)
        {
            throw new InvalidOperationException($"session {Id}: cannot go from {_state} to {to}; expected {from}");
        }

        _state = to;
    }

    private async ValueTask CloseAsync()
    {
        _context.Sessions.Remove(this);
        BackendConnection? backend = _backend;
        _backend = null;
        if (backend is not null)
        {
            if (_pins != PinCauses.None || _state == SessionState.Busy)
            {
                // Its state (transaction, locks, temporary tables) must die with the session, as on a server.
                backend.MarkBroken();
            }

            backend.Pool!.Return(backend);
        }

        try
        {
            await ClientOutput.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
            // Already gone.
        }

        _client.Dispose();
        _abort.Dispose();
    }

    /// <summary>Opening or logging in to a backend failed on the network or the protocol (not a server ERR).</summary>
    private static bool IsConnectFailure(Exception ex) =>
        ex is IOException or System.Net.Sockets.SocketException or TimeoutException or EndOfStreamException or PacketFormatException or
            ObjectDisposedException; // a backend removed at run time between routing and borrowing

    private static bool IsConnectionEnd(Exception ex) =>
        ex is IOException or EndOfStreamException or OperationCanceledException or ObjectDisposedException or
            System.Net.Sockets.SocketException or ConnectionResetException or ConnectionAbortedException;
}
