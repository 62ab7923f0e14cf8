using System.Text;

namespace MySqlProxy.Protocol.Payloads;

/// <summary>
/// The client's answer to the greeting, Protocol::HandshakeResponse41
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html,
/// https://mariadb.com/kb/en/connection/#client-handshake-response).
/// </summary>
public sealed class HandshakeResponse
{
    public required Capabilities Capabilities { get; init; }

    public uint MaxPacketSize { get; init; } = 0x40000000;

    public required byte CharacterSet { get; init; }

    public required string User { get; init; }

    public required byte[] AuthResponse { get; init; }

    public string? Database { get; init; }

    public string? AuthPluginName { get; init; }

    /// <summary>The raw connection attributes block (key/value pairs, length-encoded), without its length prefix.</summary>
    public byte[]? ConnectionAttributes { get; init; }

    /// <summary>True when the payload is only an SSLRequest (the first 32 bytes with CLIENT_SSL).</summary>
    public static bool IsSslRequest(ReadOnlySpan<byte> payload) =>
        payload.Length == 32 && (payload[1] & (byte)((ulong)Capabilities.Ssl >> 8)) != 0;

    /// <summary>Reads a response; <paramref name="serverCapabilities"/> decides whether the MariaDB extended flags are read.</summary>
    public static HandshakeResponse Read(ReadOnlySpan<byte> payload, Capabilities serverCapabilities)
    {
        var reader = new PayloadReader(payload);
        ulong caps = reader.ReadUInt32();
        if ((caps & (ulong)Capabilities.Protocol41) == 0)
        {
            ThrowHelper.PacketFormat("client does not speak protocol 4.1");
        }

        uint maxPacket = reader.ReadUInt32();
        byte charset = reader.ReadByte();
        reader.Skip(19);
        uint extended = reader.ReadUInt32();
        if ((caps & (ulong)Capabilities.LongPassword) == 0 && (serverCapabilities & Capabilities.LongPassword) == 0)
        {
            caps |= (ulong)extended << 32;
        }

        string user = Encoding.UTF8.GetString(reader.ReadNullTerminatedBytes());
        byte[] auth;
        if ((caps & (ulong)Capabilities.PluginAuthLenencClientData) != 0)
        {
            auth = reader.ReadLengthEncodedBytes().ToArray();
        }
        else if ((caps & (ulong)Capabilities.SecureConnection) != 0)
        {
            auth = reader.ReadBytes(reader.ReadByte()).ToArray();
        }
        else
        {
            auth = reader.ReadNullTerminatedBytes().ToArray();
        }

        string? database = null;
        if ((caps & (ulong)Capabilities.ConnectWithDb) != 0 && reader.Remaining > 0)
        {
            database = Encoding.UTF8.GetString(reader.ReadNullTerminatedOrEndBytes());
        }

        string? plugin = null;
        if ((caps & (ulong)Capabilities.PluginAuth) != 0 && reader.Remaining > 0)
        {
            plugin = Encoding.UTF8.GetString(reader.ReadNullTerminatedOrEndBytes());
        }

        byte[]? attributes = null;
        if ((caps & (ulong)Capabilities.ConnectAttrs) != 0 && reader.Remaining > 0)
        {
            attributes = reader.ReadLengthEncodedBytes().ToArray();
        }

        return new HandshakeResponse
        {
            Capabilities = (Capabilities)caps,
            MaxPacketSize = maxPacket,
            CharacterSet = charset,
            User = user,
            AuthResponse = auth,
            Database = database,
            AuthPluginName = plugin,
            ConnectionAttributes = attributes,
        };
    }

    /// <summary>Writes the response; the MariaDB extended flags go out when the capabilities carry them.</summary>
    public void Write(PayloadWriter writer)
    {
        ulong caps = (ulong)Capabilities;
        writer.Write((uint)caps).Write(MaxPacketSize).Write(CharacterSet).WriteZeros(19);
        if ((caps & (ulong)Capabilities.LongPassword) == 0)
        {
            writer.Write((uint)(caps >> 32));
        }
        else
        {
            writer.WriteZeros(4);
        }

        writer.WriteNullTerminatedString(User);
        if ((caps & (ulong)Capabilities.PluginAuthLenencClientData) != 0)
        {
            writer.WriteLengthEncodedBytes(AuthResponse);
        }
        else if ((caps & (ulong)Capabilities.SecureConnection) != 0)
        {
            writer.Write((byte)AuthResponse.Length).Write(AuthResponse);
        }
        else
        {
            writer.WriteNullTerminated(AuthResponse);
        }

        if ((caps & (ulong)Capabilities.ConnectWithDb) != 0)
        {
            writer.WriteNullTerminatedString(Database ?? string.Empty);
        }

        if ((caps & (ulong)Capabilities.PluginAuth) != 0)
        {
            writer.WriteNullTerminatedString(AuthPluginName ?? string.Empty);
        }

        if ((caps & (ulong)Capabilities.ConnectAttrs) != 0)
        {
            writer.WriteLengthEncodedBytes(ConnectionAttributes ?? []);
        }
    }
}
