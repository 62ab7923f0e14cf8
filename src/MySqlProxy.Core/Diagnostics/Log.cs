using System.Net;
using Microsoft.Extensions.Logging;

namespace MySqlProxy.Core.Diagnostics;

/// <summary>Every log message of the data path. Never passwords, scrambles or SQL text above Trace.</summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.ListenerStarted, LogLevel.Information, "Listening for MySQL clients on {Endpoint}")]
    public static partial void ListenerStarted(ILogger logger, EndPoint endpoint);

    [LoggerMessage(EventIds.ListenerStopping, LogLevel.Information, "Stopping: no new connections; waiting for {Sessions} sessions to finish their statements")]
    public static partial void ListenerStopping(ILogger logger, int sessions);

    [LoggerMessage(EventIds.ListenerStopped, LogLevel.Information, "Stopped MySQL listener")]
    public static partial void ListenerStopped(ILogger logger);

    [LoggerMessage(EventIds.AcceptFailed, LogLevel.Error, "Accepting a connection failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.TooManyConnections, LogLevel.Warning, "Refused a client: {Count} connections open (sessions.max_connections)")]
    public static partial void TooManyConnections(ILogger logger, int count);

    [LoggerMessage(EventIds.SessionsCut, LogLevel.Warning, "Shutdown timeout passed; cutting {Sessions} sessions still running statements")]
    public static partial void SessionsCut(ILogger logger, int sessions);

    [LoggerMessage(EventIds.ClientConnected, LogLevel.Debug, "Session {SessionId}: client connected from {Remote}")]
    public static partial void ClientConnected(ILogger logger, uint sessionId, EndPoint? remote);

    [LoggerMessage(EventIds.ClientAuthenticated, LogLevel.Debug, "Session {SessionId}: authenticated as {User}")]
    public static partial void ClientAuthenticated(ILogger logger, uint sessionId, string user);

    [LoggerMessage(EventIds.ClientAuthFailed, LogLevel.Information, "Session {SessionId}: access denied for {User} from {Remote}")]
    public static partial void ClientAuthFailed(ILogger logger, uint sessionId, string user, string remote);

    [LoggerMessage(EventIds.ClientClosed, LogLevel.Debug, "Session {SessionId}: closed")]
    public static partial void ClientClosed(ILogger logger, uint sessionId);

    [LoggerMessage(EventIds.ClientProtocolError, LogLevel.Information, "Session {SessionId}: client broke the protocol: {Reason}")]
    public static partial void ClientProtocolError(ILogger logger, uint sessionId, string reason);

    [LoggerMessage(EventIds.ClientSessionFailed, LogLevel.Error, "Session {SessionId}: failed")]
    public static partial void ClientSessionFailed(ILogger logger, uint sessionId, Exception exception);

    [LoggerMessage(EventIds.ClientKill, LogLevel.Information, "Session {SessionId}: KILL {Scope} of session {Target}")]
    public static partial void ClientKill(ILogger logger, uint sessionId, string scope, uint target);

    [LoggerMessage(EventIds.ClientUnsupportedCommand, LogLevel.Debug, "Session {SessionId}: refused command 0x{Command:X2}")]
    public static partial void ClientUnsupportedCommand(ILogger logger, uint sessionId, byte command);

    [LoggerMessage(EventIds.BackendConnected, LogLevel.Debug, "Session {SessionId}: connected to {Backend} as thread {ThreadId}")]
    public static partial void BackendConnected(ILogger logger, uint sessionId, string backend, uint threadId);

    [LoggerMessage(EventIds.BackendConnectFailed, LogLevel.Warning, "Session {SessionId}: cannot connect to {Backend}: {Reason}")]
    public static partial void BackendConnectFailed(ILogger logger, uint sessionId, string backend, string reason);

    [LoggerMessage(EventIds.BackendLost, LogLevel.Warning, "Session {SessionId}: lost {Backend} during a statement: {Reason}")]
    public static partial void BackendLost(ILogger logger, uint sessionId, string backend, string reason);

    [LoggerMessage(EventIds.BackendDown, LogLevel.Warning, "Backend {Backend} is down: {Reason}")]
    public static partial void BackendDown(ILogger logger, string backend, string reason);

    [LoggerMessage(EventIds.BackendUp, LogLevel.Information, "Backend {Backend} is up again")]
    public static partial void BackendUp(ILogger logger, string backend);

    [LoggerMessage(EventIds.BackendIdentity, LogLevel.Information, "Backend {Backend} is {Version}")]
    public static partial void BackendIdentity(ILogger logger, string backend, string version);
}
