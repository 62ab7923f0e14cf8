using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;
using Pipelines.Sockets.Unofficial;

namespace MySqlProxy.Core.Backends;

/// <summary>
/// One authenticated connection to a backend server. The proxy is the MySQL client here: it answers the
/// server's greeting for the session's user and speaks the command phase through the pipes.
/// </summary>
internal sealed partial class BackendConnection : IAsyncDisposable
{
    /// <summary>
    /// Capabilities that change how the command phase looks on the wire; a backend connection takes them
    /// from the client it serves so that relayed bytes mean the same thing to both.
    /// </summary>
    public const Capabilities CommandPhaseCapabilities =
        Capabilities.FoundRows | Capabilities.LongFlag | Capabilities.NoSchema | Capabilities.Odbc |
        Capabilities.LocalFiles | Capabilities.IgnoreSpace | Capabilities.Interactive | Capabilities.Transactions |
        Capabilities.MultiStatements | Capabilities.MultiResults | Capabilities.PsMultiResults |
        Capabilities.SessionTrack | Capabilities.DeprecateEof | Capabilities.MariaDbStmtBulkOperations |
        Capabilities.MariaDbExtendedMetadata;

    private const Capabilities ConnectionPhaseCapabilities =
        Capabilities.LongPassword | Capabilities.Protocol41 | Capabilities.SecureConnection | Capabilities.PluginAuth |
        Capabilities.PluginAuthLenencClientData | Capabilities.ConnectAttrs | Capabilities.ConnectWithDb |
        Capabilities.IgnoreSigpipe | Capabilities.Reserved;

    private const int MaxHandshakePacket = 64 * 1024;

    private static readonly byte[] s_quit = [1, 0, 0, 0, (byte)CommandCode.Quit];

    private readonly SocketConnection _connection;
    private int _disposed;

    private BackendConnection(BackendEndpoint backend, SocketConnection connection, InitialHandshake greeting, Capabilities capabilities, ServerStatus status)
    {
        Backend = backend;
        _connection = connection;
        Greeting = greeting;
        Capabilities = capabilities;
        Status = status;
    }

    public BackendEndpoint Backend { get; }

    public InitialHandshake Greeting { get; }

    /// <summary>The server's id for this connection (what KILL on the backend takes).</summary>
    public uint ThreadId => Greeting.ConnectionId;

    /// <summary>Capabilities in force on this connection.</summary>
    public Capabilities Capabilities { get; }

    /// <summary>Status flags of the last complete response.</summary>
    public ServerStatus Status { get; set; }

    /// <summary>What LAST_INSERT_ID() returns on this connection now (the last generated id any session saw here).</summary>
    public ulong InsertId { get; set; }

    /// <summary>Set once the connection is unusable (lost mid-statement, protocol error); it is closed, never reused.</summary>
    public bool IsBroken { get; private set; }

    public PipeReader Input => _connection.Input;

    public PipeWriter Output => _connection.Output;

    /// <summary>Connects and logs in; a server ERR is thrown as <see cref="MySqlErrorException"/> with its code and message.</summary>
    public static async Task<BackendConnection> ConnectAsync(BackendEndpoint backend, BackendLogin login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        SocketConnection connection = await Transport.ConnectAsync(backend.EndPoint, timeout, backend.Name, cancellationToken).ConfigureAwait(false);
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            try
            {
                return await LoginAsync(backend, connection, login, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no complete handshake within {timeout.TotalMilliseconds:0} ms");
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Reads only the greeting of a server, to learn its version and capabilities, and hangs up.</summary>
    public static async Task<InitialHandshake> ProbeAsync(BackendEndpoint backend, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using SocketConnection connection = await Transport.ConnectAsync(backend.EndPoint, timeout, backend.Name, cancellationToken).ConfigureAwait(false);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        (_, byte[] payload) = await PacketIO.ReadPacketAsync(connection.Input, MaxHandshakePacket, cts.Token).ConfigureAwait(false);
        return InitialHandshake.Read(payload);
    }

    private static async Task<BackendConnection> LoginAsync(BackendEndpoint backend, SocketConnection connection, BackendLogin login, CancellationToken cancellationToken)
    {
        (PacketHeader header, byte[] greetingPayload) = await PacketIO.ReadPacketAsync(connection.Input, MaxHandshakePacket, cancellationToken).ConfigureAwait(false);
        InitialHandshake greeting = InitialHandshake.Read(greetingPayload);
        Capabilities server = greeting.Capabilities;
        if ((server & (Capabilities.Protocol41 | Capabilities.SecureConnection)) != (Capabilities.Protocol41 | Capabilities.SecureConnection))
        {
            throw new MySqlErrorException(ErrorCodes.NotSupportedAuthMode, "08004", $"backend {backend.Name} does not speak protocol 4.1 with secure authentication");
        }

        Capabilities wanted = (login.ClientCapabilities & CommandPhaseCapabilities) | ConnectionPhaseCapabilities;
        if (login.Database is null)
        {
            wanted &= ~Capabilities.ConnectWithDb;
        }

        Capabilities capabilities = wanted & server;
        if (greeting.IsMariaDbExtended)
        {
            // A MariaDB server cleared bit 0 to offer extended capabilities; the client clears it too to take them.
            capabilities &= ~Capabilities.LongPassword;
        }
        else
        {
            capabilities &= ~(Capabilities)0xFFFF_FFFF_0000_0000UL;
        }

        string plugin = greeting.AuthPluginName;
        byte[] nonce = greeting.AuthPluginData;
        byte[] authResponse = plugin switch
        {
            AuthPluginNames.NativePassword => NativePassword.Scramble(login.Password, nonce),
            AuthPluginNames.CachingSha2Password => CachingSha2Password.Scramble(login.Password, nonce),
            _ => [],
        };
        if (plugin is not (AuthPluginNames.NativePassword or AuthPluginNames.CachingSha2Password))
        {
            // Ask for a method the proxy speaks; the server answers with an auth switch if the account uses another.
            plugin = AuthPluginNames.NativePassword;
            authResponse = NativePassword.Scramble(login.Password, nonce);
        }

        var response = new HandshakeResponse
        {
            Capabilities = capabilities,
            CharacterSet = login.CharacterSet != 0 ? login.CharacterSet : greeting.CharacterSet,
            User = login.User,
            AuthResponse = authResponse,
            Database = login.Database,
            AuthPluginName = plugin,
            ConnectionAttributes = login.ConnectionAttributes,
        };

        byte sequence = (byte)(header.SequenceId + 1);
        using (var payload = new PayloadWriter(128))
        {
            response.Write(payload);
            sequence = await PacketIO.WritePacketAsync(connection.Output, payload, sequence, cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            (PacketHeader h, byte[] packet) = await PacketIO.ReadPacketAsync(connection.Input, MaxHandshakePacket, cancellationToken).ConfigureAwait(false);
            sequence = (byte)(h.SequenceId + 1);
            if (packet.Length == 0)
            {
                throw new PacketFormatException("empty packet during authentication");
            }

            switch (packet[0])
            {
                case OkPayload.Signature:
                    OkPayload.TryReadHead(packet, out OkPayload ok);
                    return new BackendConnection(backend, connection, greeting, capabilities, ok.Status);

                case ErrPayload.Signature:
                    ErrPayload err = ErrPayload.Read(packet);
                    throw new MySqlErrorException(err.ErrorCode, err.SqlState, err.Message);

                case AuthSwitchRequest.Signature:
                    AuthSwitchRequest authSwitch = AuthSwitchRequest.Read(packet);
                    nonce = authSwitch.PluginData;
                    plugin = authSwitch.PluginName;
                    byte[] answer = plugin switch
                    {
                        AuthPluginNames.NativePassword => NativePassword.Scramble(login.Password, nonce),
                        AuthPluginNames.CachingSha2Password => CachingSha2Password.Scramble(login.Password, nonce),
                        _ => throw new MySqlErrorException(ErrorCodes.NotSupportedAuthMode, "08004",
                            $"backend {backend.Name} asks for authentication plugin '{plugin}' for user '{login.User}'; the proxy speaks mysql_native_password and caching_sha2_password"),
                    };
                    using (var payload = new PayloadWriter(answer.Length))
                    {
                        payload.Write(answer);
                        sequence = await PacketIO.WritePacketAsync(connection.Output, payload, sequence, cancellationToken).ConfigureAwait(false);
                    }

                    break;

                case 0x01 when plugin == AuthPluginNames.CachingSha2Password:
                    // AuthMoreData: fast-auth result, or the server's public key we asked for.
                    if (packet.Length == 2 && packet[1] == CachingSha2Password.FastAuthSuccess)
                    {
                        break;
                    }

                    using (var payload = new PayloadWriter(256))
                    {
                        if (packet.Length == 2 && packet[1] == CachingSha2Password.PerformFullAuthentication)
                        {
                            payload.Write(CachingSha2Password.RequestPublicKey);
                        }
                        else
                        {
                            string pem = Encoding.ASCII.GetString(packet, 1, packet.Length - 1);
                            payload.Write(CachingSha2Password.EncryptPassword(login.Password, nonce, pem));
                        }

                        sequence = await PacketIO.WritePacketAsync(connection.Output, payload, sequence, cancellationToken).ConfigureAwait(false);
                    }

                    break;

                default:
                    throw new PacketFormatException($"unexpected packet 0x{packet[0]:X2} during authentication");
            }
        }
    }

    /// <summary>
    /// Runs one statement of the proxy's own (not a client's) and reads its whole response, discarding any rows.
    /// Returns the ERR the server sent, or null on success.
    /// </summary>
    public async Task<ErrPayload?> ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        using (var payload = new PayloadWriter(sql.Length + 1))
        {
            payload.Write((byte)CommandCode.Query).WriteString(sql);
            await PacketIO.WritePacketAsync(Output, payload, 0, cancellationToken).ConfigureAwait(false);
        }

        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.Query, Capabilities);
        ErrPayload? error = null;
        while (!scanner.IsComplete)
        {
            (PacketHeader header, byte[] packet) = await PacketIO.ReadPacketAsync(Input, PacketHeader.MaxPayloadLength, cancellationToken).ConfigureAwait(false);
            ScanOutcome outcome = scanner.Feed(packet.AsSpan(0, Math.Min(packet.Length, ResponseScanner.PrefixSize)), packet.Length);
            if (packet.Length > 0 && packet[0] == ErrPayload.Signature && outcome == ScanOutcome.Complete)
            {
                error = ErrPayload.Read(packet);
            }

            if (outcome == ScanOutcome.NeedClientData)
            {
                // The proxy's own statements never load files: answer with an empty upload.
                await Output.WriteAsync(new byte[] { 0, 0, 0, (byte)(header.SequenceId + 1) }, cancellationToken).ConfigureAwait(false);
                scanner.ClientDataSent();
            }
        }

        Status = scanner.LastStatus;
        return error;
    }

    /// <summary>Marks the connection unusable; it is closed and never reused.</summary>
    public void MarkBroken() => IsBroken = true;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!IsBroken)
        {
            try
            {
                // COM_QUIT lets the server end the session at once instead of logging an aborted connection.
                Output.Write(s_quit);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await Output.FlushAsync(cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
            {
                // The connection is going anyway.
            }
        }

        _connection.Dispose();
    }

    /// <summary>Closes the socket at once, without COM_QUIT (used to cut a session).</summary>
    public void Abort()
    {
        IsBroken = true;
        _connection.Dispose();
    }

    public override string ToString() => $"{Backend.Name}#{ThreadId}";
}
