using System.Buffers;
using System.Diagnostics;
using System.Text;
using MySqlProxy.Core.Sessions;
using MySqlProxy.Core.Statements;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Core.Backends;

internal sealed partial class BackendConnection
{
    private static readonly byte[] s_ping = [1, 0, 0, 0, (byte)CommandCode.Ping];

    /// <summary>The pool this connection belongs to, by user, capabilities and character set.</summary>
    public PoolKey Key { get; set; }

    /// <summary>The pool that lent this connection (null for the proxy's one-off connections).</summary>
    public BackendPool? Pool { get; set; }

    /// <summary>When the connection was last returned to its pool (Stopwatch timestamp).</summary>
    public long LastUsed { get; set; } = Stopwatch.GetTimestamp();

    /// <summary>The session state this connection has now: schema and changed variables.</summary>
    public SessionVariables State { get; } = new();

    /// <summary>Statements prepared on this connection.</summary>
    public StatementCache Statements { get; } = new();

    /// <summary>
    /// Starting values of the variables whose default is not the global value: the character set variables,
    /// which the handshake set. Going back to them cannot be written as <c>= DEFAULT</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Baseline { get; private set; } = new Dictionary<string, string>();

    /// <summary>True when the server is MariaDB (session tracking of GTIDs differs from MySQL).</summary>
    public bool IsMariaDb => Greeting.ServerVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Has the server report every change of session state in OK packets, whatever the server's own
    /// defaults: changed variables, the schema, and that something else (user variables, temporary
    /// tables) changed.
    /// </summary>
    public async Task EnableSessionTrackingAsync(CancellationToken cancellationToken)
    {
        string sql = IsMariaDb
            ? "SET SESSION session_track_system_variables='*', SESSION session_track_schema=ON, SESSION session_track_state_change=ON"
            : "SET SESSION session_track_system_variables='*', SESSION session_track_schema=ON, SESSION session_track_state_change=ON, SESSION session_track_gtids=OWN_GTID";
        ErrPayload? error = await ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new MySqlErrorException(error.ErrorCode, error.SqlState, error.Message);
        }

        string?[] row = await QueryRowAsync("SELECT @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection", cancellationToken).ConfigureAwait(false);
        var baseline = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string[] names = ["character_set_client", "character_set_connection", "character_set_results", "collation_connection"];
        for (int i = 0; i < names.Length && i < row.Length; i++)
        {
            if (row[i] is { } value)
            {
                baseline[names[i]] = value;
            }
        }

        Baseline = baseline;
    }

    /// <summary>COM_INIT_DB of the proxy's own; returns the server's ERR, or null once the schema is in use.</summary>
    public async Task<ErrPayload?> InitDbAsync(string schema, CancellationToken cancellationToken)
    {
        using (var payload = new PayloadWriter(schema.Length + 1))
        {
            payload.Write((byte)CommandCode.InitDb).WriteString(schema);
            await PacketIO.WritePacketAsync(Output, payload, 0, cancellationToken).ConfigureAwait(false);
        }

        (_, byte[] packet) = await PacketIO.ReadPacketAsync(Input, 64 * 1024, cancellationToken).ConfigureAwait(false);
        if (packet.Length > 0 && packet[0] == ErrPayload.Signature)
        {
            return ErrPayload.Read(packet);
        }

        State.Schema = schema;
        return null;
    }

    /// <summary>Runs a query of the proxy's own and returns the first row's values as text (null for SQL NULL).</summary>
    public async Task<string?[]> QueryRowAsync(string sql, CancellationToken cancellationToken)
    {
        using (var payload = new PayloadWriter(sql.Length + 1))
        {
            payload.Write((byte)CommandCode.Query).WriteString(sql);
            await PacketIO.WritePacketAsync(Output, payload, 0, cancellationToken).ConfigureAwait(false);
        }

        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.Query, Capabilities);
        string?[]? row = null;
        int packets = 0;
        ulong columns = 0;
        while (!scanner.IsComplete)
        {
            (_, byte[] packet) = await PacketIO.ReadPacketAsync(Input, PacketHeader.MaxPayloadLength, cancellationToken).ConfigureAwait(false);
            bool wasRows = packets > 0;
            scanner.Feed(packet.AsSpan(0, Math.Min(packet.Length, ResponseScanner.PrefixSize)), packet.Length);
            if (packets == 0)
            {
                if (packet.Length > 0 && packet[0] == ErrPayload.Signature)
                {
                    ErrPayload err = ErrPayload.Read(packet);
                    throw new MySqlErrorException(err.ErrorCode, err.SqlState, err.Message);
                }

                columns = new PayloadReader(packet).ReadLengthEncodedInteger();
            }
            else if (row is null && wasRows && packets > (int)columns + ((Capabilities & Capabilities.DeprecateEof) != 0 ? 0 : 1) && !scanner.IsComplete)
            {
                row = new string?[columns];
                var reader = new PayloadReader(packet);
                for (int i = 0; i < row.Length; i++)
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
            }

            packets++;
        }

        return row ?? [];
    }

    /// <summary>Prepares a statement of the proxy's own choosing and returns its whole response (all packets, as received).</summary>
    public async Task<byte[]> PrepareAsync(string sql, CancellationToken cancellationToken)
    {
        using (var payload = new PayloadWriter(Encoding.UTF8.GetByteCount(sql) + 1))
        {
            payload.Write((byte)CommandCode.StatementPrepare).WriteString(sql);
            await PacketIO.WritePacketAsync(Output, payload, 0, cancellationToken).ConfigureAwait(false);
        }

        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.StatementPrepare, Capabilities);
        var response = new ArrayBufferWriter<byte>(256);
        while (!scanner.IsComplete)
        {
            (PacketHeader header, byte[] packet) = await PacketIO.ReadPacketAsync(Input, PacketHeader.MaxPayloadLength, cancellationToken).ConfigureAwait(false);
            scanner.Feed(packet.AsSpan(0, Math.Min(packet.Length, ResponseScanner.PrefixSize)), packet.Length);
            Span<byte> span = response.GetSpan(PacketHeader.Size + packet.Length);
            PacketHeader.Write(span, packet.Length, header.SequenceId);
            packet.CopyTo(span[PacketHeader.Size..]);
            response.Advance(PacketHeader.Size + packet.Length);
        }

        return response.WrittenSpan.ToArray();
    }

    /// <summary>COM_STMT_CLOSE of a server statement id (no response).</summary>
    public async ValueTask CloseStatementAsync(uint statementId, CancellationToken cancellationToken)
    {
        byte[] packet = [5, 0, 0, 0, (byte)CommandCode.StatementClose, (byte)statementId, (byte)(statementId >> 8), (byte)(statementId >> 16), (byte)(statementId >> 24)];
        await Output.WriteAsync(packet, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// True when the server has closed the connection (or sent something unasked) while it sat idle: the
    /// socket's receive loop has already seen the end of the stream. Costs no round trip.
    /// </summary>
    public bool IsClosedByPeer()
    {
        if (!Input.TryRead(out System.IO.Pipelines.ReadResult read))
        {
            return false;
        }

        bool dead = read.IsCompleted || !read.Buffer.IsEmpty;
        Input.AdvanceTo(read.Buffer.Start);
        return dead;
    }

    /// <summary>COM_PING: true when the server answered OK.</summary>
    public async ValueTask<bool> PingAsync(CancellationToken cancellationToken)
    {
        await Output.WriteAsync(s_ping, cancellationToken).ConfigureAwait(false);
        (_, byte[] packet) = await PacketIO.ReadPacketAsync(Input, 1024, cancellationToken).ConfigureAwait(false);
        return packet.Length > 0 && packet[0] == OkPayload.Signature;
    }
}
