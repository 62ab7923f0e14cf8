using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Diagnostics;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Core.Sessions;

internal sealed partial class ClientSession
{
    private const int MaxLoginPacket = 64 * 1024;

    private byte[] _challenge = [];
    private Capabilities _capabilities;
    private byte _characterSet;
    private byte[]? _connectionAttributes;

    /// <summary>Capabilities the client and the proxy agreed on.</summary>
    public Capabilities Capabilities => _capabilities;

    /// <summary>
    /// The server side of the connection phase: greeting, the client's login checked against <c>users</c>
    /// (switching clients that start with another plugin to mysql_native_password), then the backend
    /// connection for the session. Returns false when the session must end.
    /// </summary>
    private async Task<bool> HandshakeAsync()
    {
        using var login = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        login.CancelAfter(_context.LoginTimeout);
        CancellationToken ct = login.Token;

        await _context.Identity.EnsureKnownAsync(ct).ConfigureAwait(false);
        ServerIdentity identity = _context.Identity;
        _challenge = NativePassword.NewChallenge();
        var greeting = new InitialHandshake
        {
            ServerVersion = identity.ServerVersion,
            ConnectionId = Id,
            AuthPluginData = _challenge,
            Capabilities = identity.Capabilities,
            CharacterSet = identity.CharacterSet,
            Status = ServerStatus.Autocommit,
            AuthPluginName = AuthPluginNames.NativePassword,
        };
        byte sequence;
        using (var payload = new PayloadWriter(128))
        {
            greeting.Write(payload);
            sequence = await PacketIO.WritePacketAsync(ClientOutput, payload, 0, ct).ConfigureAwait(false);
        }

        (PacketHeader header, byte[] packet) = await PacketIO.ReadPacketAsync(ClientInput, MaxLoginPacket, ct).ConfigureAwait(false);
        sequence = (byte)(header.SequenceId + 1);
        if (HandshakeResponse.IsSslRequest(packet))
        {
            await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.NotSupportedAuthMode, "08004",
                "SSL connections are not supported by this proxy yet; connect without TLS (ssl-mode=DISABLED)", sequence, ct).ConfigureAwait(false);
            return false;
        }

        HandshakeResponse response;
        try
        {
            response = HandshakeResponse.Read(packet, greeting.Capabilities);
        }
        catch (PacketFormatException ex)
        {
            Log.ClientProtocolError(_logger, Id, ex.Message);
            await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.HandshakeError, "08S01", "Bad handshake", sequence, ct).ConfigureAwait(false);
            return false;
        }

        _capabilities = response.Capabilities & greeting.Capabilities;
        _characterSet = response.CharacterSet;
        _connectionAttributes = response.ConnectionAttributes;

        (bool ok, sequence) = await AuthenticateAsync(response.User, response.AuthPluginName, response.AuthResponse, sequence, ct).ConfigureAwait(false);
        if (!ok)
        {
            return false;
        }

        User = response.User;
        _desired.Reset(string.IsNullOrEmpty(response.Database) ? null : response.Database);
        Log.ClientAuthenticated(_logger, Id, User);

        // Borrow a backend connection once at login, so that what the server would refuse at login
        // (an unknown schema, no access to it, the backend down) reaches the client as a login error.
        // With the primary down, the login is checked on a replica so that reads go on for new sessions too.
        Backends.BackendPool loginPool = _context.PrimaryPool.Health.IsUp
            ? _context.PrimaryPool
            : _context.Router.ChooseForRead(Monitoring.GtidPosition.Empty) ?? _context.PrimaryPool;
        (BackendConnection? backend, ErrPayload? failure) = await AcquireAsync(loginPool, ct).ConfigureAwait(false);
        if (failure is { ErrorCode: ErrorCodes.CannotConnect } && loginPool == _context.PrimaryPool &&
            _context.Router.ChooseForRead(Monitoring.GtidPosition.Empty, avoid: loginPool) is { } replica && replica != loginPool)
        {
            // The primary just died (the monitor has not marked it down yet): a session may still read, so its
            // login is checked on a replica; its writes will get the primary's error.
            (backend, failure) = await AcquireAsync(replica, ct).ConfigureAwait(false);
        }

        if (failure is not null)
        {
            await WriteErrorAsync(failure, sequence, ct).ConfigureAwait(false);
            return false;
        }

        ServerStatus status = backend!.Status;
        ReleaseIfUnpinned();
        using (var payload = new PayloadWriter(16))
        {
            OkPayload.Write(payload, 0, 0, (status & ~(ServerStatus.InTransaction | ServerStatus.SessionStateChanged)) | ServerStatus.Autocommit);
            await PacketIO.WritePacketAsync(ClientOutput, payload, sequence, ct).ConfigureAwait(false);
        }

        _context.Sessions.Add(this);
        Transition(SessionState.Handshake, SessionState.Idle);
        return true;
    }

    /// <summary>
    /// Checks a login. A client that answered with a plugin other than mysql_native_password gets an auth
    /// switch with a fresh challenge. Returns whether the login is good and the next sequence id;
    /// a bad one has been answered with ERR 1045.
    /// </summary>
    private async ValueTask<(bool Ok, byte Sequence)> AuthenticateAsync(string user, string? plugin, byte[] authResponse, byte sequence, CancellationToken ct)
    {
        byte[] challenge = _challenge;
        bool pluginAuth = (_capabilities & Capabilities.PluginAuth) != 0;
        if (pluginAuth && !string.Equals(plugin ?? AuthPluginNames.NativePassword, AuthPluginNames.NativePassword, StringComparison.Ordinal))
        {
            // caching_sha2_password, client_ed25519 and the rest: switch to what the proxy can check.
            challenge = NativePassword.NewChallenge();
            using (var payload = new PayloadWriter(64))
            {
                new AuthSwitchRequest(AuthPluginNames.NativePassword, challenge).Write(payload);
                sequence = await PacketIO.WritePacketAsync(ClientOutput, payload, sequence, ct).ConfigureAwait(false);
            }

            (PacketHeader header, byte[] answer) = await PacketIO.ReadPacketAsync(ClientInput, MaxLoginPacket, ct).ConfigureAwait(false);
            sequence = (byte)(header.SequenceId + 1);
            authResponse = answer;
        }

        bool known = _context.Users.TryGetValue(user, out string? password);

        // Unknown users go through the same checks so that the answer does not tell which users exist.
        bool valid = NativePassword.Verify(authResponse, password ?? "\u0001unknown", challenge) && known;
        if (valid)
        {
            return (true, sequence);
        }

        Log.ClientAuthFailed(_logger, Id, user, RemoteHost);
        string message = $"Access denied for user '{user}'@'{RemoteHost}' (using password: {(authResponse.Length > 0 ? "YES" : "NO")})";
        sequence = await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.AccessDenied, "28000", message, sequence, ct).ConfigureAwait(false);
        return (false, sequence);
    }
}
