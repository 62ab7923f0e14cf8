using System.Text;

namespace MySqlProxy.Protocol.Payloads;

/// <summary>Kinds of session state change information in an OK packet (enum_session_state_type).</summary>
public enum SessionTrackType : byte
{
    /// <summary>SESSION_TRACK_SYSTEM_VARIABLES: a variable name and its new value.</summary>
    SystemVariables = 0,

    /// <summary>SESSION_TRACK_SCHEMA: the new default schema.</summary>
    Schema = 1,

    /// <summary>SESSION_TRACK_STATE_CHANGE: "1" when any session state changed.</summary>
    StateChange = 2,

    /// <summary>SESSION_TRACK_GTIDS (MySQL).</summary>
    Gtids = 3,

    /// <summary>SESSION_TRACK_TRANSACTION_CHARACTERISTICS.</summary>
    TransactionCharacteristics = 4,

    /// <summary>SESSION_TRACK_TRANSACTION_STATE.</summary>
    TransactionState = 5,
}

/// <summary>
/// A whole OK packet read with CLIENT_SESSION_TRACK in force: fixed part, info text and the session state
/// change block (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html,
/// https://mariadb.com/kb/en/ok_packet/). A view over the payload: nothing is copied.
/// </summary>
public readonly ref struct OkPacket
{
    private OkPacket(byte header, ulong affectedRows, ulong lastInsertId, ServerStatus status, ushort warnings, ReadOnlySpan<byte> info, ReadOnlySpan<byte> sessionState)
    {
        Header = header;
        AffectedRows = affectedRows;
        LastInsertId = lastInsertId;
        Status = status;
        Warnings = warnings;
        Info = info;
        SessionState = sessionState;
    }

    /// <summary>0x00, or 0xFE when the packet ends a result set under CLIENT_DEPRECATE_EOF.</summary>
    public byte Header { get; }

    public ulong AffectedRows { get; }

    public ulong LastInsertId { get; }

    public ServerStatus Status { get; }

    public ushort Warnings { get; }

    /// <summary>Human-readable information ("Rows matched: 1  Changed: 1  Warnings: 0").</summary>
    public ReadOnlySpan<byte> Info { get; }

    /// <summary>The session state change entries (empty unless SERVER_SESSION_STATE_CHANGED).</summary>
    public ReadOnlySpan<byte> SessionState { get; }

    /// <summary>Reads an OK packet; <paramref name="sessionTrack"/> says whether CLIENT_SESSION_TRACK is in force.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, bool sessionTrack, out OkPacket ok)
    {
        ok = default;
        if (payload.Length < 7 || payload[0] is not (OkPayload.Signature or EofPayload.Signature))
        {
            return false;
        }

        try
        {
            var reader = new PayloadReader(payload);
            byte header = reader.ReadByte();
            ulong rows = reader.ReadLengthEncodedInteger();
            ulong id = reader.ReadLengthEncodedInteger();
            var status = (ServerStatus)reader.ReadUInt16();
            ushort warnings = reader.ReadUInt16();
            ReadOnlySpan<byte> info = default;
            ReadOnlySpan<byte> state = default;
            if (sessionTrack)
            {
                if (reader.Remaining > 0)
                {
                    info = reader.ReadLengthEncodedBytes();
                }

                if ((status & ServerStatus.SessionStateChanged) != 0 && reader.Remaining > 0)
                {
                    state = reader.ReadLengthEncodedBytes();
                }
            }
            else
            {
                info = reader.ReadRest();
            }

            ok = new OkPacket(header, rows, id, status, warnings, info, state);
            return true;
        }
        catch (PacketFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes this OK as the server writes it to a client without CLIENT_SESSION_TRACK: no session state,
    /// SERVER_SESSION_STATE_CHANGED cleared, and the info, when there is any, length-encoded. (The protocol
    /// pages call it string&lt;EOF&gt; there, but MariaDB 10.11 and MySQL 8 both store it with net_store_data,
    /// and libmysqlclient reads it back as a length-encoded string.)
    /// </summary>
    public void WriteWithoutSessionTrack(PayloadWriter writer)
    {
        writer.Write(Header).WriteLengthEncodedInteger(AffectedRows).WriteLengthEncodedInteger(LastInsertId)
            .Write((ushort)(Status & ~ServerStatus.SessionStateChanged)).Write(Warnings);
        if (!Info.IsEmpty)
        {
            writer.WriteLengthEncodedBytes(Info);
        }
    }

    /// <summary>
    /// Writes the same packet as <see cref="WriteWithoutSessionTrack(PayloadWriter)"/> (header included) into
    /// <paramref name="destination"/>, which must hold 4 + <see cref="LengthWithoutSessionTrack"/> bytes.
    /// </summary>
    public int WriteWithoutSessionTrack(Span<byte> destination, byte sequenceId)
    {
        int length = LengthWithoutSessionTrack;
        PacketHeader.Write(destination, length, sequenceId);
        int offset = PacketHeader.Size;
        destination[offset++] = Header;
        offset += WriteLengthEncoded(destination[offset..], AffectedRows);
        offset += WriteLengthEncoded(destination[offset..], LastInsertId);
        ushort status = (ushort)(Status & ~ServerStatus.SessionStateChanged);
        destination[offset++] = (byte)status;
        destination[offset++] = (byte)(status >> 8);
        destination[offset++] = (byte)Warnings;
        destination[offset++] = (byte)(Warnings >> 8);
        if (!Info.IsEmpty)
        {
            offset += WriteLengthEncoded(destination[offset..], (ulong)Info.Length);
            Info.CopyTo(destination[offset..]);
        }

        return PacketHeader.Size + length;
    }

    /// <summary>Length of <see cref="WriteWithoutSessionTrack(PayloadWriter)"/>'s payload.</summary>
    public int LengthWithoutSessionTrack =>
        1 + LengthEncodedSize(AffectedRows) + LengthEncodedSize(LastInsertId) + 4 +
        (Info.IsEmpty ? 0 : LengthEncodedSize((ulong)Info.Length) + Info.Length);

    /// <summary>The entries of the session state block.</summary>
    public SessionStateEnumerator GetSessionStateEntries() => new(SessionState);

    private static int WriteLengthEncoded(Span<byte> destination, ulong value)
    {
        if (value < 0xFB)
        {
            destination[0] = (byte)value;
            return 1;
        }

        if (value <= 0xFFFF)
        {
            destination[0] = 0xFC;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], (ushort)value);
            return 3;
        }

        if (value <= 0xFFFFFF)
        {
            destination[0] = 0xFD;
            destination[1] = (byte)value;
            destination[2] = (byte)(value >> 8);
            destination[3] = (byte)(value >> 16);
            return 4;
        }

        destination[0] = 0xFE;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], value);
        return 9;
    }

    private static int LengthEncodedSize(ulong value) => value switch
    {
        < 0xFB => 1,
        <= 0xFFFF => 3,
        <= 0xFFFFFF => 4,
        _ => 9,
    };
}

/// <summary>One entry of the session state block.</summary>
public readonly ref struct SessionStateEntry
{
    public SessionStateEntry(SessionTrackType type, ReadOnlySpan<byte> data)
    {
        Type = type;
        Data = data;
    }

    public SessionTrackType Type { get; }

    /// <summary>The entry's data: for system variables, a length-encoded name then value; for the schema, a length-encoded name.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>For <see cref="SessionTrackType.SystemVariables"/>: the variable's name and value.</summary>
    public bool TryReadVariable(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        name = value = default;
        try
        {
            var reader = new PayloadReader(Data);
            name = reader.ReadLengthEncodedBytes();
            value = reader.ReadLengthEncodedBytes();
            return true;
        }
        catch (PacketFormatException)
        {
            return false;
        }
    }

    /// <summary>For <see cref="SessionTrackType.Schema"/>: the schema name.</summary>
    public string ReadSchema()
    {
        var reader = new PayloadReader(Data);
        return Encoding.UTF8.GetString(reader.ReadLengthEncodedBytes());
    }
}

/// <summary>Walks the session state block entry by entry without allocating.</summary>
public ref struct SessionStateEnumerator
{
    private ReadOnlySpan<byte> _rest;

    public SessionStateEnumerator(ReadOnlySpan<byte> block)
    {
        _rest = block;
        Current = default;
    }

    public SessionStateEntry Current { get; private set; }

    public readonly SessionStateEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_rest.IsEmpty)
        {
            return false;
        }

        var reader = new PayloadReader(_rest);
        try
        {
            var type = (SessionTrackType)reader.ReadByte();
            ReadOnlySpan<byte> data = reader.ReadLengthEncodedBytes();
            Current = new SessionStateEntry(type, data);
            _rest = reader.Rest;
            return true;
        }
        catch (PacketFormatException)
        {
            _rest = default;
            return false;
        }
    }
}
