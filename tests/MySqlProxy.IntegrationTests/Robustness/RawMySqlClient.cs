using System.Net;
using System.Net.Sockets;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.IntegrationTests.Robustness;

/// <summary>One packet as it came off the wire.</summary>
internal readonly record struct RawPacket(byte SequenceId, byte[] Payload)
{
    public bool IsOk => Payload.Length > 0 && Payload[0] == 0x00;

    public bool IsErr => Payload.Length > 0 && Payload[0] == ErrPayload.Signature;

    public ErrPayload Error => IsErr ? ErrPayload.Read(Payload) : throw new InvalidOperationException($"not an ERR packet: {Convert.ToHexString(Payload)}");

    public override string ToString() => IsErr ? $"#{SequenceId} {Error}" : $"#{SequenceId} {Convert.ToHexString(Payload.AsSpan(0, Math.Min(Payload.Length, 64)))}";
}

/// <summary>
/// A scripted MySQL client on a bare socket, for traffic no real driver sends: wrong sequence ids, truncated or
/// empty packets, unknown commands, garbage logins. Logs in with the protocol library's own payload types.
/// </summary>
internal sealed class RawMySqlClient : IAsyncDisposable
{
    /// <summary>What a modern client asks for (MariaDB Connector/C's set, minus TLS and compression).</summary>
    public const Capabilities ClientCapabilities =
        Capabilities.LongPassword | Capabilities.LongFlag | Capabilities.ConnectWithDb | Capabilities.LocalFiles |
        Capabilities.Protocol41 | Capabilities.Transactions | Capabilities.SecureConnection | Capabilities.MultiStatements |
        Capabilities.MultiResults | Capabilities.PsMultiResults | Capabilities.PluginAuth | Capabilities.PluginAuthLenencClientData |
        Capabilities.ConnectAttrs | Capabilities.SessionTrack | Capabilities.DeprecateEof;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawMySqlClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>The server's greeting, once read.</summary>
    public InitialHandshake? Greeting { get; private set; }

    /// <summary>The plugin named by an AuthSwitchRequest during <see cref="LoginAsync(string, string, string?, string, CancellationToken)"/>, if one came.</summary>
    public string? SwitchedToPlugin { get; private set; }

    /// <summary>The challenge that came with the auth switch.</summary>
    public byte[]? SwitchChallenge { get; private set; }

    public static async Task<RawMySqlClient> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return new RawMySqlClient(tcp);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Connects and reads the greeting (which must be a handshake, not an ERR).</summary>
    public static async Task<RawMySqlClient> ConnectAndGreetAsync(int port, CancellationToken cancellationToken)
    {
        RawMySqlClient client = await ConnectAsync(port, cancellationToken);
        try
        {
            await client.ReadGreetingAsync(cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects, reads the greeting and logs in; the login must succeed.</summary>
    public static async Task<RawMySqlClient> LoginAsync(int port, CancellationToken cancellationToken, string user = "app", string password = "app", string? database = "app")
    {
        RawMySqlClient client = await ConnectAndGreetAsync(port, cancellationToken);
        try
        {
            RawPacket answer = await client.LoginAsync(user, password, database, AuthPluginNames.NativePassword, cancellationToken);
            if (!answer.IsOk)
            {
                throw new InvalidOperationException($"login failed: {answer}");
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public async Task<InitialHandshake> ReadGreetingAsync(CancellationToken cancellationToken)
    {
        RawPacket packet = await ReadPacketAsync(cancellationToken) ?? throw new EndOfStreamException("closed before the greeting");
        if (packet.IsErr)
        {
            throw new InvalidOperationException($"ERR in place of the greeting: {packet.Error}");
        }

        Greeting = InitialHandshake.Read(packet.Payload);
        return Greeting;
    }

    /// <summary>
    /// Sends a HandshakeResponse41 naming <paramref name="plugin"/> (with a response scrambled for
    /// mysql_native_password, or junk for any other plugin), follows one auth switch to mysql_native_password, and
    /// returns the final OK or ERR.
    /// </summary>
    public async Task<RawPacket> LoginAsync(string user, string password, string? database, string plugin, CancellationToken cancellationToken)
    {
        InitialHandshake greeting = Greeting ?? throw new InvalidOperationException("read the greeting first");
        byte[] auth = plugin == AuthPluginNames.NativePassword
            ? NativePassword.Scramble(password, greeting.AuthPluginData)
            : [.. Enumerable.Repeat((byte)0x5A, 32)];
        Capabilities caps = ClientCapabilities & (greeting.Capabilities | Capabilities.LongPassword);
        if (database is null)
        {
            caps &= ~Capabilities.ConnectWithDb;
        }

        var response = new HandshakeResponse
        {
            Capabilities = caps,
            CharacterSet = 45,
            User = user,
            AuthResponse = auth,
            Database = database,
            AuthPluginName = plugin,
            ConnectionAttributes = [],
        };
        using (var payload = new PayloadWriter())
        {
            response.Write(payload);
            await WritePacketAsync(1, payload.Payload.ToArray(), cancellationToken);
        }

        RawPacket answer = await ReadPacketAsync(cancellationToken) ?? throw new EndOfStreamException("closed after the handshake response");
        if (answer.Payload.Length > 0 && answer.Payload[0] == AuthSwitchRequest.Signature)
        {
            var request = AuthSwitchRequest.Read(answer.Payload);
            SwitchedToPlugin = request.PluginName;
            SwitchChallenge = request.PluginData;
            byte[] scrambled = request.PluginName == AuthPluginNames.NativePassword ? NativePassword.Scramble(password, request.PluginData) : [];
            await WritePacketAsync((byte)(answer.SequenceId + 1), scrambled, cancellationToken);
            answer = await ReadPacketAsync(cancellationToken) ?? throw new EndOfStreamException("closed after the auth switch response");
        }

        return answer;
    }

    /// <summary>Sends one packet with any sequence id.</summary>
    public Task WritePacketAsync(byte sequenceId, ReadOnlySpan<byte> payload, CancellationToken cancellationToken)
    {
        byte[] packet = new byte[PacketHeader.Size + payload.Length];
        PacketHeader.Write(packet, payload.Length, sequenceId);
        payload.CopyTo(packet.AsSpan(PacketHeader.Size));
        return WriteRawAsync(packet, cancellationToken);
    }

    /// <summary>Sends a command packet (sequence id 0 unless told otherwise): command byte plus argument.</summary>
    public Task SendCommandAsync(CommandCode command, string argument, CancellationToken cancellationToken, byte sequenceId = 0)
    {
        byte[] text = System.Text.Encoding.UTF8.GetBytes(argument);
        byte[] payload = [(byte)command, .. text];
        return WritePacketAsync(sequenceId, payload, cancellationToken);
    }

    /// <summary>Sends bytes as they are: no framing.</summary>
    public async Task WriteRawAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(bytes, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads one packet; null when the peer closed the connection (cleanly or by reset) before a whole packet.</summary>
    public async Task<RawPacket?> ReadPacketAsync(CancellationToken cancellationToken)
    {
        byte[] header = new byte[PacketHeader.Size];
        if (!await ReadExactlyOrEndAsync(header, cancellationToken))
        {
            return null;
        }

        PacketHeader h = PacketHeader.Read(header);
        byte[] payload = new byte[h.PayloadLength];
        if (!await ReadExactlyOrEndAsync(payload, cancellationToken))
        {
            return null;
        }

        return new RawPacket(h.SequenceId, payload);
    }

    /// <summary>Reads one packet, failing the test when none comes within <paramref name="within"/>.</summary>
    public async Task<RawPacket> ExpectPacketAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(within);
        try
        {
            return await ReadPacketAsync(limit.Token) ?? throw new Xunit.Sdk.XunitException("the connection was closed where a packet was expected");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"no packet within {within}");
        }
    }

    /// <summary>True when the peer closes the connection within <paramref name="within"/> (any data before that is skipped).</summary>
    public async Task<bool> ClosedByPeerWithinAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(within);
        byte[] sink = new byte[4096];
        try
        {
            while (true)
            {
                int n = await _stream.ReadAsync(sink, limit.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>COM_PING and its OK: the session is alive and in sync.</summary>
    public async Task<RawPacket> PingAsync(CancellationToken cancellationToken)
    {
        await SendCommandAsync(CommandCode.Ping, string.Empty, cancellationToken);
        return await ExpectPacketAsync(TimeSpan.FromSeconds(10), cancellationToken);
    }

    /// <summary>Closes only the sending direction: the peer sees the end of the stream.</summary>
    public void ShutdownSend() => _tcp.Client.Shutdown(SocketShutdown.Send);

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        try
        {
            while (read < buffer.Length)
            {
                int n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }
        }
        catch (IOException)
        {
            return false;
        }

        return true;
    }
}
