using System.Text;

namespace MySqlProxy.Protocol.Payloads;

/// <summary>
/// ERR_Packet (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_err_packet.html):
/// 0xFF, error code, '#' and a 5-character SQLSTATE (protocol 4.1), message.
/// </summary>
public sealed class ErrPayload
{
    public const byte Signature = 0xFF;

    public ErrPayload(ushort errorCode, string sqlState, string message)
    {
        ErrorCode = errorCode;
        SqlState = sqlState;
        Message = message;
    }

    public ushort ErrorCode { get; }

    public string SqlState { get; }

    public string Message { get; }

    public static ErrPayload Read(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        if (reader.ReadByte() != Signature)
        {
            ThrowHelper.PacketFormat("not an ERR packet");
        }

        ushort code = reader.ReadUInt16();
        string state = "HY000";
        if (reader.Remaining >= 6 && reader.Rest[0] == (byte)'#')
        {
            reader.Skip(1);
            state = Encoding.ASCII.GetString(reader.ReadBytes(5));
        }

        return new ErrPayload(code, state, Encoding.UTF8.GetString(reader.ReadRest()));
    }

    public void Write(PayloadWriter writer) =>
        writer.Write(Signature).Write(ErrorCode).Write((byte)'#').WriteString(SqlState).WriteString(Message);

    public override string ToString() => $"ERROR {ErrorCode} ({SqlState}): {Message}";
}
