namespace MySqlProxy.Core.Diagnostics;

/// <summary>Stable log event ids by range: 1xxx listener, 2xxx client, 3xxx backend, 4xxx monitor.</summary>
internal static class EventIds
{
    public const int ListenerStarted = 1000;
    public const int ListenerStopping = 1001;
    public const int ListenerStopped = 1002;
    public const int AcceptFailed = 1003;
    public const int TooManyConnections = 1004;
    public const int SessionsCut = 1005;

    public const int ClientConnected = 2000;
    public const int ClientAuthenticated = 2001;
    public const int ClientAuthFailed = 2002;
    public const int ClientClosed = 2003;
    public const int ClientProtocolError = 2004;
    public const int ClientSessionFailed = 2005;
    public const int ClientKill = 2006;
    public const int ClientUnsupportedCommand = 2007;

    public const int BackendConnected = 3000;
    public const int BackendConnectFailed = 3001;
    public const int BackendLost = 3002;
    public const int BackendIdentity = 3003;

    public const int BackendDown = 4000;
    public const int BackendUp = 4001;
}
