using System.Text;

namespace MySqlProxy.Protocol.Payloads;

/// <summary>
/// The server greeting, Protocol::HandshakeV10
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html,
/// https://mariadb.com/kb/en/connection/#initial-handshake-packet).
/// </summary>
public sealed class InitialHandshake
{
    /// <summary>The only protocol version MySQL 4.1 and later speak.</summary>
    public const byte ProtocolVersion10 = 10;

    public required string ServerVersion { get; init; }

    public required uint ConnectionId { get; init; }

    /// <summary>The auth challenge: 20 bytes for mysql_native_password and caching_sha2_password.</summary>
    public required byte[] AuthPluginData { get; init; }

    /// <summary>Server capabilities; MariaDB's extended flags sit in the high 32 bits.</summary>
    public required Capabilities Capabilities { get; init; }

    public required byte CharacterSet { get; init; }

    public required ServerStatus Status { get; init; }

    public required string AuthPluginName { get; init; }

    /// <summary>True when the server announced MariaDB's extended capabilities (bit 0 clear).</summary>
    public bool IsMariaDbExtended => (Capabilities & Capabilities.LongPassword) == 0;

    public static InitialHandshake Read(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        byte protocol = reader.ReadByte();
        if (protocol == 0xFF)
        {
            ErrPayload err = ErrPayload.Read(payload);
            throw new MySqlErrorException(err.ErrorCode, err.SqlState, err.Message);
        }

        if (protocol != ProtocolVersion10)
        {
            ThrowHelper.PacketFormat($"unsupported handshake protocol version {protocol}");
        }

        string version = Encoding.UTF8.GetString(reader.ReadNullTerminatedBytes());
        uint connectionId = reader.ReadUInt32();
        ReadOnlySpan<byte> part1 = reader.ReadBytes(8);
        reader.Skip(1);
        ulong capabilities = reader.ReadUInt16();
        byte charset = 0;
        ushort status = 0;
        int authDataLength = 0;
        byte[] authData = part1.ToArray();
        string plugin = AuthPluginNames.NativePassword;
        if (reader.Remaining > 0)
        {
            charset = reader.ReadByte();
            status = reader.ReadUInt16();
            capabilities |= (ulong)reader.ReadUInt16() << 16;
            authDataLength = reader.ReadByte();
            reader.Skip(6);
            uint extended = reader.ReadUInt32();
            if ((capabilities & (ulong)Capabilities.LongPassword) == 0)
            {
                capabilities |= (ulong)extended << 32;
            }

            if ((capabilities & (ulong)Capabilities.SecureConnection) != 0)
            {
                int part2Length = Math.Max(13, authDataLength - 8);
                ReadOnlySpan<byte> part2 = reader.ReadBytes(Math.Min(part2Length, reader.Remaining));

                // The last byte of part 2 is a NUL terminator that is not part of the challenge.
                if (part2.Length > 0 && part2[^1] == 0)
                {
                    part2 = part2[..^1];
                }

                authData = [.. part1, .. part2];
            }

            if ((capabilities & (ulong)Capabilities.PluginAuth) != 0 && reader.Remaining > 0)
            {
                plugin = Encoding.UTF8.GetString(reader.ReadNullTerminatedOrEndBytes());
            }
        }

        return new InitialHandshake
        {
            ServerVersion = version,
            ConnectionId = connectionId,
            AuthPluginData = authData,
            Capabilities = (Capabilities)capabilities,
            CharacterSet = charset,
            Status = (ServerStatus)status,
            AuthPluginName = plugin,
        };
    }

    public void Write(PayloadWriter writer)
    {
        ulong caps = (ulong)Capabilities;
        writer.Write(ProtocolVersion10)
            .WriteNullTerminatedString(ServerVersion)
            .Write(ConnectionId)
            .Write(AuthPluginData.AsSpan(0, 8))
            .Write((byte)0)
            .Write((ushort)caps)
            .Write(CharacterSet)
            .Write((ushort)Status)
            .Write((ushort)(caps >> 16))
            .Write((byte)(AuthPluginData.Length + 1))
            .WriteZeros(6);
        if (IsMariaDbExtended)
        {
            writer.Write((uint)(caps >> 32));
        }
        else
        {
            writer.WriteZeros(4);
        }

        writer.Write(AuthPluginData.AsSpan(8)).Write((byte)0)
            .WriteNullTerminatedString(AuthPluginName);
    }
}
