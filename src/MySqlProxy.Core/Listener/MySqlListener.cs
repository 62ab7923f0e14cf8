using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Diagnostics;
using MySqlProxy.Core.Sessions;
using MySqlProxy.Protocol;
using Pipelines.Sockets.Unofficial;

namespace MySqlProxy.Core.Listener;

/// <summary>
/// Accepts MySQL clients on <c>listen.mysql</c> and runs a session for each. On stop it accepts no more,
/// lets running statements finish (up to <c>sessions.shutdown_timeout</c>), then closes what is left.
/// </summary>
public sealed class MySqlListener : IHostedService, IAsyncDisposable
{
    private readonly ProxyContext _context;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ClientSession, Task> _sessions = new();
    private Socket? _socket;
    private Task? _acceptLoop;
    private Monitoring.BackendMonitor? _monitor;

    public MySqlListener(IOptions<ProxyOptions> options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _context = new ProxyContext(options.Value, loggerFactory);
        Control = new Control.ProxyControl(_context);
        _logger = loggerFactory.CreateLogger<MySqlListener>();
    }

    /// <summary>The address actually bound (tells the port when <c>listen.mysql</c> asked for port 0).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Client sessions open now, logged in or not.</summary>
    public int SessionCount => _sessions.Count;

    internal ProxyContext Context => _context;

    /// <summary>What operators can see and change while the proxy runs (the admin endpoint uses it).</summary>
    public Control.ProxyControl Control { get; private set; } = null!;

    /// <summary>True once listening with the primary answering (the readiness check).</summary>
    public bool IsReady => LocalEndPoint is not null && _context.PrimaryPool.Health.IsUp;

    /// <summary>Puts new routing settings (rules, lag limit, read-your-writes, reads on the primary) in force for the next statement.</summary>
    public void UpdateRouting(RoutingOptions routing)
    {
        ArgumentNullException.ThrowIfNull(routing);
        _context.Router.Update(routing);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IPEndPoint endpoint = IPEndPoint.Parse(_context.Options.Listen.Mysql);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            socket.Listen(1024);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        LocalEndPoint = socket.LocalEndPoint as IPEndPoint;
        Log.ListenerStarted(_logger, socket.LocalEndPoint!);

        _monitor = new Monitoring.BackendMonitor(_context, _logger);
        _monitor.Start();
        await _monitor.WaitForFirstChecksAsync(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);

        // Learn the primary's version early so the first clients see the real one; failures are logged.
        _ = _context.Identity.EnsureKnownAsync(CancellationToken.None).AsTask();
        _acceptLoop = AcceptLoopAsync(socket);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Socket? socket = Interlocked.Exchange(ref _socket, null);
        if (socket is null)
        {
            return;
        }

        Log.ListenerStopping(_logger, _sessions.Count);
        socket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        foreach (ClientSession session in _sessions.Keys)
        {
            session.RequestStop();
        }

        Task all = Task.WhenAll(_sessions.Values);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_context.Options.Sessions.ShutdownTimeout.Value);
        try
        {
            await all.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.SessionsCut(_logger, _sessions.Count);
            foreach (ClientSession session in _sessions.Keys)
            {
                session.Abort();
            }

            await all.ConfigureAwait(false);
        }

        if (_monitor is not null)
        {
            await _monitor.DisposeAsync().ConfigureAwait(false);
        }

        await _context.DisposeAsync().ConfigureAwait(false);
        Log.ListenerStopped(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.InvalidArgument)
            {
                return;
            }
            catch (SocketException ex)
            {
                Log.AcceptFailed(_logger, ex);
                continue;
            }

            if (_sessions.Count >= _context.Options.Sessions.MaxConnections)
            {
                Log.TooManyConnections(_logger, _sessions.Count);
                _ = RefuseAsync(client);
                continue;
            }

            SocketConnection connection = Transport.Wrap(client, "client");
            var session = new ClientSession(_context, connection, _context.Sessions.NextId());
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task run = RunSessionAsync(session, started.Task);
            _sessions[session] = run;
            started.SetResult();
        }
    }

    private async Task RunSessionAsync(ClientSession session, Task registered)
    {
        await registered.ConfigureAwait(false);
        try
        {
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _sessions.TryRemove(session, out _);
        }
    }

    /// <summary>Answers a connection over the limit the way the server does (ERR 1040 in place of a greeting).</summary>
    private static async Task RefuseAsync(Socket client)
    {
        try
        {
            using SocketConnection connection = Transport.Wrap(client, "refused");
            await PacketIO.WriteErrorAsync(connection.Output, ErrorCodes.TooManyConnections, "08004", "Too many connections", 0, CancellationToken.None).ConfigureAwait(false);
            await connection.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or ConnectionResetException)
        {
            // Nothing to tell a client that is already gone.
        }
    }
}
