namespace MySqlProxy.Protocol.Payloads;

/// <summary>
/// OK_Packet (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html).
/// Header 0x00, or 0xFE when it ends a result set under CLIENT_DEPRECATE_EOF.
/// </summary>
public readonly struct OkPayload
{
    public const byte Signature = 0x00;

    public OkPayload(ulong affectedRows, ulong lastInsertId, ServerStatus status, ushort warnings)
    {
        AffectedRows = affectedRows;
        LastInsertId = lastInsertId;
        Status = status;
        Warnings = warnings;
    }

    public ulong AffectedRows { get; }

    public ulong LastInsertId { get; }

    public ServerStatus Status { get; }

    public ushort Warnings { get; }

    /// <summary>Reads the fixed part (rows, insert id, status, warnings) of an OK packet whose header is 0x00 or 0xFE.</summary>
    public static bool TryReadHead(ReadOnlySpan<byte> payload, out OkPayload ok)
    {
        ok = default;
        if (payload.Length < 7 || (payload[0] != Signature && payload[0] != EofPayload.Signature))
        {
            return false;
        }

        int offset = 1;
        if (!TryReadLengthEncoded(payload, ref offset, out ulong rows) ||
            !TryReadLengthEncoded(payload, ref offset, out ulong id) ||
            offset + 4 > payload.Length)
        {
            return false;
        }

        ok = new OkPayload(rows, id, (ServerStatus)(payload[offset] | (payload[offset + 1] << 8)),
            (ushort)(payload[offset + 2] | (payload[offset + 3] << 8)));
        return true;
    }

    /// <summary>Writes an OK packet with no info and no session state.</summary>
    public static void Write(PayloadWriter writer, ulong affectedRows, ulong lastInsertId, ServerStatus status, ushort warnings = 0) =>
        writer.Write(Signature).WriteLengthEncodedInteger(affectedRows).WriteLengthEncodedInteger(lastInsertId)
            .Write((ushort)status).Write(warnings);

    private static bool TryReadLengthEncoded(ReadOnlySpan<byte> payload, ref int offset, out ulong value)
    {
        value = 0;
        if (offset >= payload.Length)
        {
            return false;
        }

        int size = PayloadReader.LengthEncodedIntegerSize(payload[offset]);
        if (size == 0 || offset + size > payload.Length)
        {
            return false;
        }

        value = size switch
        {
            1 => payload[offset],
            3 => (ulong)(payload[offset + 1] | (payload[offset + 2] << 8)),
            4 => (ulong)(payload[offset + 1] | (payload[offset + 2] << 8) | (payload[offset + 3] << 16)),
            _ => BitConverter.ToUInt64(payload.Slice(offset + 1, 8)),
        };
        offset += size;
        return true;
    }
}
