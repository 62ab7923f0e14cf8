using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.IntegrationTests.Infrastructure;

/// <summary>A server error as a raw client sees it.</summary>
public sealed record RawError(int Code, string SqlState, string Message)
{
    public static RawError Read(ReadOnlySpan<byte> payload)
    {
        ErrPayload err = ErrPayload.Read(payload);
        return new RawError(err.ErrorCode, err.SqlState, err.Message);
    }

    public override string ToString() => $"ERROR {Code} ({SqlState}): {Message}";
}

/// <summary>One result set of a text or binary query, values as text (binary ones are rendered by the caller).</summary>
public sealed record RawResultSet(IReadOnlyList<string> Columns, IReadOnlyList<byte[]> Rows, ServerStatus Status);

/// <summary>
/// A minimal MySQL client for what MySqlConnector cannot do: COM_CHANGE_USER, cursors with COM_STMT_FETCH,
/// COM_STATISTICS, COM_FIELD_LIST, COM_PROCESS_KILL, hand-made packets at the 16 MiB split boundary. Built on
/// MySqlProxy.Protocol's payload types; speaks mysql_native_password only.
/// </summary>
public sealed class RawClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawClient(TcpClient tcp, InitialHandshake greeting, Capabilities capabilities)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        Greeting = greeting;
        Capabilities = capabilities;
    }

    public InitialHandshake Greeting { get; }

    public Capabilities Capabilities { get; }

    /// <summary>The connection id from the greeting.</summary>
    public uint ConnectionId => Greeting.ConnectionId;

    /// <summary>Capabilities the raw client asks for (before intersecting with the server's).</summary>
    public static Capabilities DefaultCapabilities =>
        Capabilities.LongFlag | Capabilities.Protocol41 | Capabilities.Transactions | Capabilities.SecureConnection |
        Capabilities.MultiStatements | Capabilities.MultiResults | Capabilities.PsMultiResults | Capabilities.PluginAuth |
        Capabilities.PluginAuthLenencClientData;

    /// <summary>
    /// Connects and logs in, answering the greeting with <paramref name="plugin"/> (mysql_native_password,
    /// caching_sha2_password, or anything else with made-up data) and switching to mysql_native_password when
    /// asked; <paramref name="extra"/> asks for more capabilities, MariaDB's extended ones included. A refused
    /// login throws <see cref="RawErrorException"/>.
    /// </summary>
    public static async Task<RawClient> ConnectAsync(
        IPEndPoint endpoint, string user, string password, string? database, CancellationToken ct,
        bool deprecateEof = false, string plugin = AuthPluginNames.NativePassword, Capabilities extra = Capabilities.None)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(endpoint, ct);
            NetworkStream stream = tcp.GetStream();
            (byte seq, byte[] greetingPayload) = await ReadPacketAsync(stream, ct);
            var greeting = InitialHandshake.Read(greetingPayload);
            Capabilities wanted = DefaultCapabilities | extra | (deprecateEof ? Capabilities.DeprecateEof : 0) | (database is null ? 0 : Capabilities.ConnectWithDb);
            Capabilities offered = greeting.IsMariaDbExtended ? greeting.Capabilities : greeting.Capabilities & (Capabilities)0xFFFF_FFFFUL;
            Capabilities capabilities = wanted & offered;
            var client = new RawClient(tcp, greeting, capabilities);
            var response = new HandshakeResponse
            {
                Capabilities = capabilities,
                CharacterSet = 45,
                User = user,
                AuthResponse = plugin switch
                {
                    AuthPluginNames.NativePassword => NativePassword.Scramble(password, greeting.AuthPluginData),
                    AuthPluginNames.CachingSha2Password => CachingSha2Password.Scramble(password, greeting.AuthPluginData),
                    _ => [.. Enumerable.Range(1, 64).Select(i => (byte)i)],
                },
                Database = database,
                AuthPluginName = plugin,
            };
            using (var payload = new PayloadWriter())
            {
                response.Write(payload);
                await client.WriteAsync(payload.Payload.ToArray(), (byte)(seq + 1), ct);
            }

            RawError? error = await client.FinishAuthAsync(password, ct);
            if (error is not null)
            {
                await client.DisposeAsync();
                throw new RawErrorException(error);
            }

            return client;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>COM_CHANGE_USER with a collation id (45: utf8mb4_general_ci); returns the server's ERR, or null when the change was accepted.</summary>
    public async Task<RawError?> ChangeUserAsync(string user, string password, string? database, CancellationToken ct, ushort collation = 45)
    {
        using var payload = new PayloadWriter();
        byte[] scramble = NativePassword.Scramble(password, Greeting.AuthPluginData);
        payload.Write((byte)CommandCode.ChangeUser).WriteNullTerminatedString(user)
            .Write((byte)scramble.Length).Write(scramble)
            .WriteNullTerminatedString(database ?? string.Empty)
            .Write(collation)
            .WriteNullTerminatedString(AuthPluginNames.NativePassword);
        await WriteAsync(payload.Payload.ToArray(), 0, ct);
        return await FinishAuthAsync(password, ct);
    }

    /// <summary>Sends a command and returns its one-packet answer (OK, ERR, EOF or COM_STATISTICS' string).</summary>
    public async Task<byte[]> CommandAsync(CommandCode command, ReadOnlyMemory<byte> arguments, CancellationToken ct)
    {
        await SendCommandAsync(command, arguments, ct);
        return (await ReadPayloadAsync(ct)).Payload;
    }

    /// <summary>Sends a command without reading anything back (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA).</summary>
    public async Task SendCommandAsync(CommandCode command, ReadOnlyMemory<byte> arguments, CancellationToken ct)
    {
        byte[] payload = new byte[1 + arguments.Length];
        payload[0] = (byte)command;
        arguments.Span.CopyTo(payload.AsSpan(1));
        await WriteAsync(payload, 0, ct);
    }

    /// <summary>COM_QUERY: every result set (text rows as raw payloads) or the ERR that ended the response.</summary>
    public async Task<(List<RawResultSet> Results, RawError? Error)> QueryAsync(string sql, CancellationToken ct)
    {
        await SendCommandAsync(CommandCode.Query, Encoding.UTF8.GetBytes(sql), ct);
        return await ReadResultsAsync(ct);
    }

    /// <summary>The server's LOCAL INFILE request (0xFB, file name) that stopped the last <see cref="ReadResultsAsync"/>, and its sequence id.</summary>
    public (byte Sequence, byte[] Payload)? LocalInfileRequest { get; private set; }

    /// <summary>
    /// Reads result sets until one ends without SERVER_MORE_RESULTS_EXISTS, an ERR, or a LOCAL INFILE request
    /// (left in <see cref="LocalInfileRequest"/> for the caller to answer).
    /// </summary>
    public async Task<(List<RawResultSet> Results, RawError? Error)> ReadResultsAsync(CancellationToken ct)
    {
        var results = new List<RawResultSet>();
        LocalInfileRequest = null;
        while (true)
        {
            (byte sequence, byte[] first) = await ReadPayloadAsync(ct);
            if (first[0] == ErrPayload.Signature)
            {
                return (results, RawError.Read(first));
            }

            if (first[0] == 0xFB)
            {
                LocalInfileRequest = (sequence, first);
                return (results, null);
            }

            ServerStatus status;
            if (first[0] == OkPayload.Signature)
            {
                OkPayload.TryReadHead(first, out OkPayload ok);
                status = ok.Status;
                results.Add(new RawResultSet([], [], status));
            }
            else
            {
                var reader = new PayloadReader(first);
                int columnCount = (int)reader.ReadLengthEncodedInteger();
                (List<string> columns, ServerStatus afterColumns) = await ReadColumnsAsync(columnCount, ct);
                var rows = new List<byte[]>();
                status = afterColumns;
                if ((afterColumns & ServerStatus.CursorExists) == 0)
                {
                    RawError? error;
                    (status, error) = await ReadRowsAsync(rows, ct);
                    if (error is not null)
                    {
                        results.Add(new RawResultSet(columns, rows, status));
                        return (results, error);
                    }
                }

                results.Add(new RawResultSet(columns, rows, status));
            }

            if ((status & ServerStatus.MoreResultsExist) == 0)
            {
                return (results, null);
            }
        }
    }

    /// <summary>Reads rows up to the terminator (its status flags) or an ERR (which ends the response).</summary>
    public async Task<(ServerStatus Status, RawError? Error)> ReadRowsAsync(List<byte[]> rows, CancellationToken ct)
    {
        while (true)
        {
            byte[] row = (await ReadPayloadAsync(ct)).Payload;
            if (row[0] == EofPayload.Signature && row.Length < PacketHeader.MaxPayloadLength)
            {
                return (TerminatorStatus(row), null);
            }

            if (row[0] == ErrPayload.Signature)
            {
                return (ServerStatus.None, RawError.Read(row));
            }

            rows.Add(row);
        }
    }

    /// <summary>COM_STMT_PREPARE: the statement id and counts, or the ERR.</summary>
    public async Task<(uint Id, int Columns, int Parameters, RawError? Error)> PrepareAsync(string sql, CancellationToken ct)
    {
        await SendCommandAsync(CommandCode.StatementPrepare, Encoding.UTF8.GetBytes(sql), ct);
        byte[] ok = (await ReadPayloadAsync(ct)).Payload;
        if (ok[0] == ErrPayload.Signature)
        {
            return (0, 0, 0, RawError.Read(ok));
        }

        uint id = BinaryPrimitives.ReadUInt32LittleEndian(ok.AsSpan(1));
        int columns = BinaryPrimitives.ReadUInt16LittleEndian(ok.AsSpan(5));
        int parameters = BinaryPrimitives.ReadUInt16LittleEndian(ok.AsSpan(7));
        if (parameters > 0)
        {
            await ReadColumnsAsync(parameters, ct);
        }

        if (columns > 0)
        {
            await ReadColumnsAsync(columns, ct);
        }

        return (id, columns, parameters, null);
    }

    /// <summary>Writes a packet exactly as given (header included): for hand-made framing.</summary>
    public async Task WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await _stream.WriteAsync(bytes, ct);
        await _stream.FlushAsync(ct);
    }

    /// <summary>Reads one logical payload (joining 16 MiB pieces) and the sequence id of its last packet.</summary>
    public Task<(byte Sequence, byte[] Payload)> ReadPayloadAsync(CancellationToken ct) => ReadPacketAsync(_stream, ct);

    /// <summary>Frames a payload (splitting at 2^24-1 bytes, with the empty packet after an exact multiple) and sends it.</summary>
    public async Task WriteAsync(byte[] payload, byte sequence, CancellationToken ct)
    {
        int offset = 0;
        while (true)
        {
            int chunk = Math.Min(payload.Length - offset, PacketHeader.MaxPayloadLength);
            byte[] header = new byte[PacketHeader.Size];
            PacketHeader.Write(header, chunk, sequence++);
            await _stream.WriteAsync(header, ct);
            await _stream.WriteAsync(payload.AsMemory(offset, chunk), ct);
            offset += chunk;
            if (chunk < PacketHeader.MaxPayloadLength)
            {
                break;
            }
        }

        await _stream.FlushAsync(ct);
    }

    /// <summary>True when the server closed the connection (a read returns nothing) within <paramref name="timeout"/>.</summary>
    public async Task<bool> IsClosedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            byte[] one = new byte[1];
            return await _stream.ReadAsync(one, cts.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await SendCommandAsync(CommandCode.Quit, ReadOnlyMemory<byte>.Empty, cts.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Already closed.
        }

        _tcp.Dispose();
    }

    /// <summary>Lengths-encoded text values of a text-protocol row; null for SQL NULL.</summary>
    public static List<string?> TextValues(byte[] row)
    {
        var values = new List<string?>();
        var reader = new PayloadReader(row);
        while (reader.Remaining > 0)
        {
            if (reader.Rest[0] == 0xFB)
            {
                reader.Skip(1);
                values.Add(null);
            }
            else
            {
                values.Add(Encoding.UTF8.GetString(reader.ReadLengthEncodedBytes()));
            }
        }

        return values;
    }

    private static ServerStatus TerminatorStatus(byte[] payload)
    {
        // A classic EOF is 5 bytes; under CLIENT_DEPRECATE_EOF the terminator is an OK packet with a 0xFE header.
        return payload.Length > 5 && OkPayload.TryReadHead(payload, out OkPayload ok) ? ok.Status : EofPayload.ReadStatus(payload);
    }

    private static async Task<(byte Sequence, byte[] Payload)> ReadPacketAsync(NetworkStream stream, CancellationToken ct)
    {
        using var whole = new MemoryStream();
        byte[] header = new byte[PacketHeader.Size];
        while (true)
        {
            await stream.ReadExactlyAsync(header, ct);
            var h = PacketHeader.Read(header);
            byte[] part = new byte[h.PayloadLength];
            await stream.ReadExactlyAsync(part, ct);
            whole.Write(part);
            if (!h.HasContinuation)
            {
                return (h.SequenceId, whole.ToArray());
            }
        }
    }

    private async Task<(List<string> Columns, ServerStatus Status)> ReadColumnsAsync(int count, CancellationToken ct)
    {
        var names = new List<string>();
        for (int i = 0; i < count; i++)
        {
            byte[] definition = (await ReadPayloadAsync(ct)).Payload;
            var reader = new PayloadReader(definition);
            reader.ReadLengthEncodedBytes(); // catalog
            reader.ReadLengthEncodedBytes(); // schema
            reader.ReadLengthEncodedBytes(); // table
            reader.ReadLengthEncodedBytes(); // org_table
            names.Add(Encoding.UTF8.GetString(reader.ReadLengthEncodedBytes()));
        }

        if ((Capabilities & Capabilities.DeprecateEof) != 0)
        {
            return (names, ServerStatus.None);
        }

        byte[] eof = (await ReadPayloadAsync(ct)).Payload;
        if (eof[0] != EofPayload.Signature)
        {
            throw new InvalidDataException($"expected EOF after column definitions, got 0x{eof[0]:X2}");
        }

        return (names, EofPayload.ReadStatus(eof));
    }

    private async Task<RawError?> FinishAuthAsync(string password, CancellationToken ct)
    {
        while (true)
        {
            (byte seq, byte[] packet) = await ReadPayloadAsync(ct);
            switch (packet[0])
            {
                case OkPayload.Signature:
                    return null;
                case ErrPayload.Signature:
                    return RawError.Read(packet);
                case AuthSwitchRequest.Signature:
                    var authSwitch = AuthSwitchRequest.Read(packet);
                    if (authSwitch.PluginName != AuthPluginNames.NativePassword)
                    {
                        throw new InvalidDataException($"server asks for {authSwitch.PluginName}");
                    }

                    await WriteAsync(NativePassword.Scramble(password, authSwitch.PluginData), (byte)(seq + 1), ct);
                    break;
                default:
                    throw new InvalidDataException($"unexpected packet 0x{packet[0]:X2} during authentication");
            }
        }
    }
}

/// <summary>An ERR a raw client got where it expected success.</summary>
public sealed class RawErrorException(RawError error) : Exception(error.ToString())
{
    public RawError Error { get; } = error;
}
