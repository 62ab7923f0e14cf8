using System.Buffers;
using System.Text;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Benchmarks;

/// <summary>Builds realistic server responses as raw bytes (setup only: nothing here runs per operation).</summary>
internal static class Wire
{
    /// <summary>
    /// Capabilities of a MariaDB 10.11.19 greeting (read from 127.0.0.1:13306): 0x81FFF7FE in the low 32 bits
    /// (bit 0 clear announces the extended flags, no CLIENT_SSL), extended flags 0x1D in the high 32 bits.
    /// </summary>
    public const Capabilities MariaDb1011Capabilities = (Capabilities)0x0000_001D_81FF_F7FEUL;

    /// <summary>MYSQL_TYPE_VAR_STRING.</summary>
    public const byte TypeVarString = 0xFD;

    /// <summary>MYSQL_TYPE_LONGLONG.</summary>
    public const byte TypeLongLong = 0x08;

    /// <summary>utf8mb4_general_ci.</summary>
    public const ushort Utf8Mb4GeneralCi = 45;

    /// <summary>A text result set: column count, definitions, rows of <paramref name="rowPayload"/> bytes, OK-0xFE terminator (DEPRECATE_EOF).</summary>
    public static byte[] TextResultSet(int columns, int rows, int rowPayload)
    {
        var output = new ArrayBufferWriter<byte>();
        byte seq = 1;
        using (var p = new PayloadWriter())
        {
            p.WriteLengthEncodedInteger((ulong)columns);
            seq = p.WritePacketsTo(output, seq);
        }

        for (int c = 0; c < columns; c++)
        {
            using var p = new PayloadWriter();
            WriteColumnDefinition(p, $"c{c}", TypeVarString, 255);
            seq = p.WritePacketsTo(output, seq);
        }

        var value = new byte[rowPayload];
        for (int r = 0; r < rows; r++)
        {
            using var p = new PayloadWriter(rowPayload + 16);
            p.WriteLengthEncodedBytes(value.AsSpan(0, Math.Max(0, rowPayload - 9)));
            seq = p.WritePacketsTo(output, seq);
        }

        using (var p = new PayloadWriter())
        {
            p.Write(EofPayload.Signature).WriteLengthEncodedInteger(0).WriteLengthEncodedInteger(0).Write((ushort)ServerStatus.Autocommit).Write((ushort)0);
            p.WritePacketsTo(output, seq);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>An OK packet answering a write.</summary>
    public static byte[] Ok() => Ok(1, 1);

    /// <summary>An OK packet (no info, no session state) with sequence id <paramref name="sequenceId"/>.</summary>
    public static byte[] Ok(byte sequenceId, ulong affectedRows = 0)
    {
        var output = new ArrayBufferWriter<byte>();
        using var p = new PayloadWriter();
        OkPayload.Write(p, affectedRows, 0, ServerStatus.Autocommit);
        p.WritePacketsTo(output, sequenceId);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>An ERR packet with sequence id 1.</summary>
    public static byte[] Error(ushort code, string sqlState, string message)
    {
        var output = new ArrayBufferWriter<byte>();
        using var p = new PayloadWriter();
        new ErrPayload(code, sqlState, message).Write(p);
        p.WritePacketsTo(output, 1);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A MariaDB 10.11-like greeting (sequence id 0) with a mysql_native_password challenge.</summary>
    public static byte[] Greeting(uint connectionId, byte[] challenge)
    {
        var greeting = new InitialHandshake
        {
            ServerVersion = "5.5.5-10.11.19-MariaDB-fake",
            ConnectionId = connectionId,
            AuthPluginData = challenge,
            Capabilities = MariaDb1011Capabilities,
            CharacterSet = (byte)Utf8Mb4GeneralCi,
            Status = ServerStatus.Autocommit,
            AuthPluginName = "mysql_native_password",
        };
        var output = new ArrayBufferWriter<byte>();
        using var p = new PayloadWriter(128);
        greeting.Write(p);
        p.WritePacketsTo(output, 0);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A whole result set from already encoded row payloads (text or binary): column count, definitions of
    /// VAR_STRING columns, EOF unless CLIENT_DEPRECATE_EOF, rows (split at 16 MiB where needed), terminator.
    /// </summary>
    public static byte[] ResultSet(IReadOnlyList<string> columns, IEnumerable<byte[]> rows, bool deprecateEof)
    {
        var packets = new PacketBuilder(1);
        using (var p = new PayloadWriter())
        {
            p.WriteLengthEncodedInteger((ulong)columns.Count);
            packets.Add(p.Payload);
        }

        foreach (string column in columns)
        {
            using var p = new PayloadWriter();
            WriteColumnDefinition(p, column, TypeVarString, 1024);
            packets.Add(p.Payload);
        }

        if (!deprecateEof)
        {
            packets.Add(EofPacket());
        }

        foreach (byte[] row in rows)
        {
            packets.Add(row);
        }

        packets.Add(deprecateEof ? OkTerminator() : EofPacket());
        return packets.ToArray();
    }

    /// <summary>The COM_STMT_PREPARE response: PREPARE_OK, parameter definitions, column definitions (EOFs unless DEPRECATE_EOF).</summary>
    public static byte[] PrepareOk(uint statementId, int parameters, IReadOnlyList<string> columns, bool deprecateEof)
    {
        var packets = new PacketBuilder(1);
        using (var p = new PayloadWriter())
        {
            // [0x00][statement id][columns][parameters][reserved][warnings]
            p.Write((byte)0).Write(statementId).Write((ushort)columns.Count).Write((ushort)parameters).Write((byte)0).Write((ushort)0);
            packets.Add(p.Payload);
        }

        for (int i = 0; i < parameters; i++)
        {
            using var p = new PayloadWriter();
            WriteColumnDefinition(p, "?", TypeLongLong, 21, table: string.Empty);
            packets.Add(p.Payload);
        }

        if (parameters > 0 && !deprecateEof)
        {
            packets.Add(EofPacket());
        }

        foreach (string column in columns)
        {
            using var p = new PayloadWriter();
            WriteColumnDefinition(p, column, TypeVarString, 1024);
            packets.Add(p.Payload);
        }

        if (columns.Count > 0 && !deprecateEof)
        {
            packets.Add(EofPacket());
        }

        return packets.ToArray();
    }

    /// <summary>A text row of one column whose payload is exactly <paramref name="payloadLength"/> bytes (a length-encoded string).</summary>
    public static byte[] TextRow(int payloadLength)
    {
        var row = new byte[payloadLength];
        WriteFilledString(row, 0);
        return row;
    }

    /// <summary>A binary-protocol row of one VAR_STRING column whose payload is exactly <paramref name="payloadLength"/> bytes.</summary>
    public static byte[] BinaryRow(int payloadLength)
    {
        // [0x00][NULL bitmap: (columns + 7 + 2) / 8 bytes][values]
        var row = new byte[payloadLength];
        row[0] = 0x00;
        row[1] = 0x00;
        WriteFilledString(row, 2);
        return row;
    }

    /// <summary>A text row of length-encoded strings.</summary>
    public static byte[] TextRow(params string[] values)
    {
        using var p = new PayloadWriter();
        foreach (string value in values)
        {
            p.WriteLengthEncodedString(value);
        }

        return p.Payload.ToArray();
    }

    /// <summary>A COM_QUERY packet (sequence id 0).</summary>
    public static byte[] Query(string sql) => Command(CommandCode.Query, Encoding.UTF8.GetBytes(sql));

    /// <summary>A command packet (sequence id 0) carrying <paramref name="body"/> after the command byte.</summary>
    public static byte[] Command(CommandCode command, ReadOnlySpan<byte> body)
    {
        using var p = new PayloadWriter(body.Length + 1);
        p.Write((byte)command).Write(body);
        var packets = new PacketBuilder(0);
        packets.Add(p.Payload);
        return packets.ToArray();
    }

    /// <summary>Protocol::ColumnDefinition41 (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset_column_definition.html).</summary>
    public static void WriteColumnDefinition(PayloadWriter p, string name, byte type, uint length, string table = "t")
    {
        p.WriteLengthEncodedString("def").WriteLengthEncodedString("app").WriteLengthEncodedString(table)
            .WriteLengthEncodedString(table).WriteLengthEncodedString(name).WriteLengthEncodedString(name)
            .WriteLengthEncodedInteger(0x0C).Write(Utf8Mb4GeneralCi).Write(length).Write(type).Write((ushort)0).Write((byte)0).Write((ushort)0);
    }

    /// <summary>EOF_Packet: 0xFE, warnings, status.</summary>
    private static byte[] EofPacket() => [EofPayload.Signature, 0, 0, (byte)ServerStatus.Autocommit, 0];

    /// <summary>The OK packet with a 0xFE header that ends a result set under CLIENT_DEPRECATE_EOF.</summary>
    private static byte[] OkTerminator() => [EofPayload.Signature, 0, 0, (byte)ServerStatus.Autocommit, 0, 0, 0];

    /// <summary>Writes, from <paramref name="offset"/> to the end of <paramref name="row"/>, a length-encoded string filling it exactly.</summary>
    private static void WriteFilledString(byte[] row, int offset)
    {
        int space = row.Length - offset;
        int prefix = space - 1 < 0xFB ? 1 : space - 3 <= 0xFFFF ? 3 : space - 4 <= 0xFFFFFF ? 4 : 9;
        int length = space - prefix;
        Span<byte> span = row.AsSpan(offset);
        switch (prefix)
        {
            case 1:
                span[0] = (byte)length;
                break;
            case 3:
                span[0] = 0xFC;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(span[1..], (ushort)length);
                break;
            case 4:
                span[0] = 0xFD;
                span[1] = (byte)length;
                span[2] = (byte)(length >> 8);
                span[3] = (byte)(length >> 16);
                break;
            default:
                span[0] = 0xFE;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(span[1..], (ulong)length);
                break;
        }

        span[prefix..].Fill((byte)'x');
    }

    /// <summary>Frames payloads as consecutive packets, splitting at 2^24-1 bytes as the protocol does.</summary>
    private sealed class PacketBuilder(byte firstSequenceId)
    {
        private readonly ArrayBufferWriter<byte> _output = new();
        private byte _sequenceId = firstSequenceId;

        public void Add(ReadOnlySpan<byte> payload)
        {
            while (true)
            {
                int chunk = Math.Min(payload.Length, PacketHeader.MaxPayloadLength);
                Span<byte> span = _output.GetSpan(PacketHeader.Size + chunk);
                PacketHeader.Write(span, chunk, _sequenceId++);
                payload[..chunk].CopyTo(span[PacketHeader.Size..]);
                _output.Advance(PacketHeader.Size + chunk);
                payload = payload[chunk..];

                // A piece of exactly 2^24-1 bytes is followed by another, empty if need be.
                if (chunk < PacketHeader.MaxPayloadLength)
                {
                    return;
                }
            }
        }

        public byte[] ToArray() => _output.WrittenSpan.ToArray();
    }
}
