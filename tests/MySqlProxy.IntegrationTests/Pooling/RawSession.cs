using System.Buffers.Binary;
using System.Text;
using MySqlProxy.IntegrationTests.Robustness;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.IntegrationTests.Pooling;

/// <summary>
/// What MySqlConnector never sends, spoken on a <see cref="RawMySqlClient"/>: text queries read back as text,
/// COM_STMT_PREPARE / EXECUTE with a cursor / FETCH / SEND_LONG_DATA / RESET, COM_RESET_CONNECTION and
/// COM_CHANGE_USER. Enough protocol for the pooling tests, no more.
/// </summary>
internal sealed class RawSession : IAsyncDisposable
{
    private static readonly TimeSpan s_answerWithin = TimeSpan.FromSeconds(20);

    private RawSession(RawMySqlClient client, uint connectionId, bool deprecateEof)
    {
        Client = client;
        ConnectionId = connectionId;
        DeprecateEof = deprecateEof;
    }

    public RawMySqlClient Client { get; }

    /// <summary>The connection id from the greeting (the proxy's session id).</summary>
    public uint ConnectionId { get; }

    /// <summary>Whether result sets end with an OK packet (CLIENT_DEPRECATE_EOF) instead of EOF packets.</summary>
    public bool DeprecateEof { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<RawSession> LoginAsync(int port, string user = "app", string password = "app", string? database = "app")
    {
        RawMySqlClient client = await RawMySqlClient.LoginAsync(port, Ct, user, password, database);
        InitialHandshake greeting = client.Greeting!;
        bool deprecateEof = (RawMySqlClient.ClientCapabilities & greeting.Capabilities & Capabilities.DeprecateEof) != 0;
        return new RawSession(client, greeting.ConnectionId, deprecateEof);
    }

    /// <summary>COM_QUERY; the rows of its (only) result set as text, or an empty list for an OK. ERR throws.</summary>
    public async Task<List<string?[]>> QueryAsync(string sql)
    {
        await Client.SendCommandAsync(CommandCode.Query, sql, Ct);
        RawPacket first = await NextAsync();
        ThrowIfError(first);
        if (first.IsOk)
        {
            return [];
        }

        int columns = (int)new PayloadReader(first.Payload).ReadLengthEncodedInteger();
        await SkipMetadataAsync(columns);
        var rows = new List<string?[]>();
        while (true)
        {
            RawPacket packet = await NextAsync();
            ThrowIfError(packet);
            if (packet.Payload[0] == EofPayload.Signature && packet.Payload.Length < 0xFFFFFF)
            {
                return rows;
            }

            var reader = new PayloadReader(packet.Payload);
            var row = new string?[columns];
            for (int i = 0; i < columns; i++)
            {
                if (reader.Rest[0] == 0xFB)
                {
                    reader.Skip(1);
                }
                else
                {
                    row[i] = Encoding.UTF8.GetString(reader.ReadLengthEncodedBytes());
                }
            }

            rows.Add(row);
        }
    }

    /// <summary>The first column of the first row of a query.</summary>
    public async Task<string?> ScalarAsync(string sql)
    {
        List<string?[]> rows = await QueryAsync(sql);
        Assert.NotEmpty(rows);
        return rows[0][0];
    }

    /// <summary>COM_STMT_PREPARE; ERR throws.</summary>
    public async Task<RawStatement> PrepareAsync(string sql)
    {
        await Client.SendCommandAsync(CommandCode.StatementPrepare, sql, Ct);
        RawPacket first = await NextAsync();
        ThrowIfError(first);
        uint id = BinaryPrimitives.ReadUInt32LittleEndian(first.Payload.AsSpan(1));
        int columns = BinaryPrimitives.ReadUInt16LittleEndian(first.Payload.AsSpan(5));
        int parameters = BinaryPrimitives.ReadUInt16LittleEndian(first.Payload.AsSpan(7));
        if (parameters > 0)
        {
            await SkipMetadataAsync(parameters);
        }

        if (columns > 0)
        {
            await SkipMetadataAsync(columns);
        }

        return new RawStatement(id, columns, parameters);
    }

    /// <summary>
    /// COM_STMT_EXECUTE of a statement without parameters that asks for a read-only cursor; returns the status
    /// of the packet that ends the metadata (CURSOR_EXISTS when the server opened one). ERR throws.
    /// </summary>
    public async Task<ServerStatus> ExecuteWithCursorAsync(RawStatement statement)
    {
        byte[] payload = new byte[10];
        payload[0] = (byte)CommandCode.StatementExecute;
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(1), statement.Id);
        payload[5] = 0x01; // CURSOR_TYPE_READ_ONLY
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(6), 1);
        await Client.WritePacketAsync(0, payload, Ct);
        RawPacket first = await NextAsync();
        ThrowIfError(first);
        int columns = (int)new PayloadReader(first.Payload).ReadLengthEncodedInteger();
        Assert.Equal(statement.Columns, columns);
        for (int i = 0; i < columns; i++)
        {
            ThrowIfError(await NextAsync());
        }

        // With a cursor the metadata always ends with an EOF (or OK) packet that carries CURSOR_EXISTS.
        RawPacket end = await NextAsync();
        ThrowIfError(end);
        return StatusOf(end);
    }

    /// <summary>COM_STMT_FETCH of up to <paramref name="rows"/> rows of one BIGINT column; returns them and the final status.</summary>
    public async Task<(List<long> Rows, ServerStatus Status)> FetchAsync(RawStatement statement, int rows)
    {
        byte[] payload = new byte[9];
        payload[0] = (byte)CommandCode.StatementFetch;
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(1), statement.Id);
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(5), (uint)rows);
        await Client.WritePacketAsync(0, payload, Ct);
        var values = new List<long>();
        while (true)
        {
            RawPacket packet = await NextAsync();
            ThrowIfError(packet);
            if (packet.Payload[0] == EofPayload.Signature)
            {
                return (values, StatusOf(packet));
            }

            // Binary row: 0x00, NULL bitmap ((1 + 7 + 2) / 8 = 1 byte), one 8-byte integer.
            values.Add(BinaryPrimitives.ReadInt64LittleEndian(packet.Payload.AsSpan(2)));
        }
    }

    /// <summary>COM_STMT_SEND_LONG_DATA (no answer).</summary>
    public async Task SendLongDataAsync(RawStatement statement, ushort parameter, string chunk)
    {
        byte[] data = Encoding.UTF8.GetBytes(chunk);
        byte[] payload = new byte[7 + data.Length];
        payload[0] = (byte)CommandCode.StatementSendLongData;
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(1), statement.Id);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(5), parameter);
        data.CopyTo(payload.AsSpan(7));
        await Client.WritePacketAsync(0, payload, Ct);
    }

    /// <summary>
    /// COM_STMT_EXECUTE of a one-parameter statement whose parameter (a string) came by SEND_LONG_DATA;
    /// returns the single text column of its single row. ERR throws.
    /// </summary>
    public async Task<string?> ExecuteLongDataAsync(RawStatement statement)
    {
        Assert.Equal(1, statement.Parameters);

        // [0x17][id 4][flags 1][iterations 4][NULL bitmap 1][new params bound 1][type 2]; no value: it came as long data.
        byte[] payload = new byte[14];
        payload[0] = (byte)CommandCode.StatementExecute;
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(1), statement.Id);
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(6), 1);
        payload[10] = 0;
        payload[11] = 1;
        payload[12] = 0xFE; // MYSQL_TYPE_STRING
        payload[13] = 0;
        await Client.WritePacketAsync(0, payload, Ct);
        RawPacket first = await NextAsync();
        ThrowIfError(first);
        int columns = (int)new PayloadReader(first.Payload).ReadLengthEncodedInteger();
        Assert.Equal(1, columns);
        await SkipMetadataAsync(columns);
        string? value = null;
        int rows = 0;
        while (true)
        {
            RawPacket packet = await NextAsync();
            ThrowIfError(packet);
            if (packet.Payload[0] == EofPayload.Signature && packet.Payload.Length < 0xFFFFFF)
            {
                Assert.Equal(1, rows);
                return value;
            }

            rows++;
            var reader = new PayloadReader(packet.Payload);
            reader.Skip(1);
            byte nulls = reader.ReadByte();
            value = (nulls & 0x04) != 0 ? null : Encoding.UTF8.GetString(reader.ReadLengthEncodedBytes());
        }
    }

    /// <summary>COM_STMT_RESET; ERR throws.</summary>
    public async Task ResetStatementAsync(RawStatement statement)
    {
        byte[] payload = new byte[5];
        payload[0] = (byte)CommandCode.StatementReset;
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(1), statement.Id);
        await Client.WritePacketAsync(0, payload, Ct);
        RawPacket answer = await NextAsync();
        ThrowIfError(answer);
        Assert.True(answer.IsOk, $"COM_STMT_RESET answered {answer}");
    }

    /// <summary>COM_RESET_CONNECTION; ERR throws.</summary>
    public async Task ResetConnectionAsync()
    {
        await Client.SendCommandAsync(CommandCode.ResetConnection, string.Empty, Ct);
        RawPacket answer = await NextAsync();
        ThrowIfError(answer);
        Assert.True(answer.IsOk, $"COM_RESET_CONNECTION answered {answer}");
    }

    /// <summary>
    /// COM_CHANGE_USER with a mysql_native_password response to the greeting's challenge; returns the final
    /// answer (OK or ERR), following an auth switch if one comes.
    /// </summary>
    public async Task<RawPacket> ChangeUserAsync(string user, string password, string? database)
    {
        InitialHandshake greeting = Client.Greeting!;
        byte[] auth = NativePassword.Scramble(password, greeting.AuthPluginData);
        using var payload = new PayloadWriter();
        payload.Write((byte)CommandCode.ChangeUser);
        payload.Write(Encoding.UTF8.GetBytes(user)).Write((byte)0);
        payload.Write((byte)auth.Length).Write(auth);
        payload.Write(Encoding.UTF8.GetBytes(database ?? string.Empty)).Write((byte)0);
        payload.Write((ushort)45);
        payload.Write(Encoding.ASCII.GetBytes(AuthPluginNames.NativePassword)).Write((byte)0);
        payload.Write((byte)0); // no connection attributes
        await Client.WritePacketAsync(0, payload.Payload, Ct);
        RawPacket answer = await NextAsync();
        if (answer.Payload.Length > 0 && answer.Payload[0] == AuthSwitchRequest.Signature)
        {
            var request = AuthSwitchRequest.Read(answer.Payload);
            await Client.WritePacketAsync((byte)(answer.SequenceId + 1), NativePassword.Scramble(password, request.PluginData), Ct);
            answer = await NextAsync();
        }

        return answer;
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();

    private async Task SkipMetadataAsync(int definitions)
    {
        for (int i = 0; i < definitions; i++)
        {
            ThrowIfError(await NextAsync());
        }

        if (!DeprecateEof)
        {
            RawPacket eof = await NextAsync();
            Assert.Equal(EofPayload.Signature, eof.Payload[0]);
        }
    }

    private Task<RawPacket> NextAsync() => Client.ExpectPacketAsync(s_answerWithin, Ct);

    private static void ThrowIfError(RawPacket packet)
    {
        if (packet.IsErr)
        {
            throw new RawErrorException(packet.Error);
        }
    }

    /// <summary>The status flags of an EOF packet (0xFE, warnings, status) or an OK packet with either header.</summary>
    private static ServerStatus StatusOf(RawPacket packet)
    {
        byte[] p = packet.Payload;
        if (p[0] == EofPayload.Signature && p.Length == 5)
        {
            return (ServerStatus)BinaryPrimitives.ReadUInt16LittleEndian(p.AsSpan(3));
        }

        Assert.True(OkPayload.TryReadHead(p, out OkPayload ok), $"not an EOF or OK packet: {packet}");
        return ok.Status;
    }
}
