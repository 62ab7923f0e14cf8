using Microsoft.Extensions.Logging;
using MySqlProxy.Core.Diagnostics;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Core.Backends;

/// <summary>
/// What the proxy's greeting tells clients about "the server": the primary's version string, default
/// character set and capabilities, learned from the primary's own greeting so that drivers switch on the
/// same features they would use directly.
/// </summary>
internal sealed class ServerIdentity
{
    /// <summary>What the proxy can relay faithfully; everything else is kept out of the greeting.</summary>
    public const Capabilities ProxyCapabilities =
        Capabilities.LongPassword | Capabilities.FoundRows | Capabilities.LongFlag | Capabilities.ConnectWithDb |
        Capabilities.NoSchema | Capabilities.Odbc | Capabilities.LocalFiles | Capabilities.IgnoreSpace |
        Capabilities.Protocol41 | Capabilities.Interactive | Capabilities.IgnoreSigpipe | Capabilities.Transactions |
        Capabilities.Reserved | Capabilities.SecureConnection | Capabilities.MultiStatements | Capabilities.MultiResults |
        Capabilities.PsMultiResults | Capabilities.PluginAuth | Capabilities.ConnectAttrs |
        Capabilities.PluginAuthLenencClientData | Capabilities.SessionTrack | Capabilities.DeprecateEof |
        Capabilities.MariaDbStmtBulkOperations | Capabilities.MariaDbExtendedMetadata;

    private static readonly TimeSpan s_retryEvery = TimeSpan.FromSeconds(1);

    private readonly BackendEndpoint _primary;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private InitialHandshake? _greeting;
    private Task<InitialHandshake?>? _probe;
    private DateTime _lastAttempt;

    public ServerIdentity(BackendEndpoint primary, TimeSpan timeout, ILogger logger)
    {
        _primary = primary;
        _timeout = timeout;
        _logger = logger;
    }

    /// <summary>The server version string clients see.</summary>
    public string ServerVersion => _greeting?.ServerVersion ?? "5.5.5-10.11.0-MariaDB-MySqlProxy";

    /// <summary>The default collation id of the greeting.</summary>
    public byte CharacterSet => _greeting?.CharacterSet is > 0 and var c ? c : (byte)45;

    /// <summary>Capabilities offered to clients: the primary's, limited to what the proxy relays.</summary>
    public Capabilities Capabilities
    {
        get
        {
            if (_greeting is null)
            {
                // Unknown yet: offer MariaDB's set (bit 0 clear announces the extended flags).
                return ProxyCapabilities & ~Capabilities.LongPassword;
            }

            return _greeting.Capabilities & ProxyCapabilities;
        }
    }

    /// <summary>Learns the primary's greeting once; later calls return at once. Never throws.</summary>
    public ValueTask EnsureKnownAsync(CancellationToken cancellationToken)
    {
        if (_greeting is not null)
        {
            return ValueTask.CompletedTask;
        }

        Task<InitialHandshake?> probe;
        lock (_lock)
        {
            if (_probe is null || (_probe.IsCompleted && DateTime.UtcNow - _lastAttempt > s_retryEvery))
            {
                _lastAttempt = DateTime.UtcNow;
                _probe = ProbeAsync();
            }

            probe = _probe;
        }

        return probe.IsCompleted ? ValueTask.CompletedTask : new ValueTask(probe.WaitAsync(cancellationToken));
    }

    /// <summary>Records a greeting seen on a real backend connection to the primary.</summary>
    public void Observe(InitialHandshake greeting)
    {
        if (_greeting is null)
        {
            _greeting = greeting;
            Log.BackendIdentity(_logger, _primary.Name, greeting.ServerVersion);
        }
    }

    private async Task<InitialHandshake?> ProbeAsync()
    {
        try
        {
            InitialHandshake greeting = await BackendConnection.ProbeAsync(_primary, _timeout, CancellationToken.None).ConfigureAwait(false);
            Observe(greeting);
            return greeting;
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException or PacketFormatException or MySqlErrorException or EndOfStreamException)
        {
            Log.BackendConnectFailed(_logger, 0, _primary.Name, ex.Message);
            return null;
        }
    }
}
