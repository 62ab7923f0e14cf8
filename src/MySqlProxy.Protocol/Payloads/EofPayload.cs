namespace MySqlProxy.Protocol.Payloads;

/// <summary>
/// EOF_Packet (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_eof_packet.html):
/// 0xFE, warnings, status; shorter than 9 bytes, which tells it from a row starting with an 8-byte length.
/// </summary>
public readonly struct EofPayload
{
    public const byte Signature = 0xFE;

    /// <summary>True when the payload is a classic EOF packet (0xFE and fewer than 9 bytes).</summary>
    public static bool IsEof(ReadOnlySpan<byte> payload, int payloadLength) =>
        payloadLength < 9 && payload.Length > 0 && payload[0] == Signature;

    /// <summary>Status flags of an EOF packet (bytes 3-4), or none when the packet is too short.</summary>
    public static ServerStatus ReadStatus(ReadOnlySpan<byte> payload) =>
        payload.Length >= 5 ? (ServerStatus)(payload[3] | (payload[4] << 8)) : ServerStatus.None;

    /// <summary>Warning count of an EOF packet (bytes 1-2), or 0 when the packet is too short.</summary>
    public static ushort ReadWarnings(ReadOnlySpan<byte> payload) =>
        payload.Length >= 3 ? (ushort)(payload[1] | (payload[2] << 8)) : (ushort)0;

    public static void Write(PayloadWriter writer, ServerStatus status, ushort warnings = 0) =>
        writer.Write(Signature).Write(warnings).Write((ushort)status);
}
